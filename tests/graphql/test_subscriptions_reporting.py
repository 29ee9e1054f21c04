"""Following a cohort's funnel and a social-accounting cycle's status over a real WebSocket
(graphql-transport-ws) on a real uvicorn server: the row as it stands first, then each
change, whoever records it; refused to callers who may not read it, and for an unknown id.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from coordination.bootstrap import System
from tests.graphql import test_subscriptions as live
from tests.graphql.cases_reporting import _cycle, _respondent, _survey
from tests.graphql.scenario import Scenario

server = live.server

FUNNEL = """subscription($id: UUID!) { cohortFunnel(cohortId: $id) {
  uuid places funnel { enrolled takingPart left } } }"""
SURVEY = """subscription($id: UUID!) { mappingSurveyProgress(surveyId: $id) {
  status awaitingResponse pending validated } }"""
CYCLE = """subscription($id: UUID!) { accountingCycleStatus(cycleId: $id) {
  stage purpose objectives } }"""


def cohort_of_one(scn: Scenario) -> UUID:
    app, ctx = scn.app, scn.secretariat()
    programme = scn.created(
        app.launch_programme(
            ctx,
            partnership_id=scn.partnership,
            kind="entrepreneurship_study_circle",
            title="Study circle",
            provider_id=scn.orgs["B"],
            target_group="members of immigrant associations",
            curriculum="Session 1: the business idea.",
            duration_months=6,
        )
    )
    cohort = scn.created(
        app.open_cohort(
            ctx, programme, title="Circle", places=3, starts_on=scn.start.date() - timedelta(1)
        )
    )
    app.enrol(ctx, cohort, participant_id=uuid4(), name="Exempla Påhittad")
    return cohort


async def error_of(websocket: Any) -> dict[str, Any]:
    """The error a subscription ended with, before it sent any row."""
    async with asyncio.timeout(live.TIMEOUT):
        message: dict[str, Any] = json.loads(await websocket.recv())
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None, message
    (error,) = message["payload"]["errors"]
    return dict(error)


async def test_a_cohort_s_funnel_is_sent_as_it_stands_then_at_each_change(
    server: live.Server, scenario: Scenario, system: System
) -> None:
    scn = scenario
    cohort = cohort_of_one(scn)
    await server.caught_up(system)
    websocket = await live.open_socket(server, scn.principal("representative"))
    try:
        await live.acknowledged(websocket)
        await live.subscribe(websocket, FUNNEL, {"id": str(cohort)})
        first = (await live.next_data(websocket))["cohortFunnel"]
        assert first == {
            "uuid": str(cohort),
            "places": 3,
            "funnel": {"enrolled": 1, "takingPart": 1, "left": 0},
        }
        # Recorded straight through the application, as another process would.
        person = uuid4()
        scn.app.enrol(scn.secretariat(), cohort, participant_id=person, name="Prova Låtsas")
        enrolled = (await live.next_data(websocket))["cohortFunnel"]["funnel"]
        assert enrolled == {"enrolled": 2, "takingPart": 2, "left": 0}
        scn.app.record_leaving(scn.secretariat(), cohort, participant_id=person, reason="Moved")
        left = (await live.next_data(websocket))["cohortFunnel"]["funnel"]
        assert left == {"enrolled": 2, "takingPart": 1, "left": 1}
    finally:
        await websocket.close()


async def test_a_cycle_s_status_follows_its_steps(
    server: live.Server, scenario: Scenario, system: System
) -> None:
    scn = scenario
    cycle = _cycle(scn, scn.principal("representative"), "started")["cycle"]
    await server.caught_up(system)
    websocket = await live.open_socket(server, scn.principal("auditor"))
    try:
        await live.acknowledged(websocket)
        await live.subscribe(websocket, CYCLE, {"id": str(cycle)})
        first = (await live.next_data(websocket))["accountingCycleStatus"]
        assert first == {"stage": "STARTED", "purpose": None, "objectives": 0}
        scn.app.state_purpose(scn.secretariat(), cycle, purpose="Our social value")
        scn.app.state_objective(scn.secretariat(), cycle, objective="Jobs in care")
        seen = (await live.next_data(websocket))["accountingCycleStatus"]
        if seen["objectives"] == 0:  # the two steps reached the view in two batches
            assert seen == {"stage": "SCOPING", "purpose": "Our social value", "objectives": 0}
            seen = (await live.next_data(websocket))["accountingCycleStatus"]
        assert seen == {"stage": "SCOPING", "purpose": "Our social value", "objectives": 1}
    finally:
        await websocket.close()


async def test_a_survey_s_progress_follows_its_responses(
    server: live.Server, scenario: Scenario, system: System
) -> None:
    scn = scenario
    survey = _survey(scn)
    respondent = _respondent(scn, survey)
    await server.caught_up(system)
    websocket = await live.open_socket(server, scn.principal("admin"))
    try:
        await live.acknowledged(websocket)
        await live.subscribe(websocket, SURVEY, {"id": str(survey)})
        first = (await live.next_data(websocket))["mappingSurveyProgress"]
        assert first == {"status": "OPEN", "awaitingResponse": 1, "pending": 0, "validated": 0}
        scn.app.submit_response(
            scn.secretariat(), survey, respondent_id=respondent, answers=[("staff", 4)]
        )
        answered = (await live.next_data(websocket))["mappingSurveyProgress"]
        assert answered == {"status": "OPEN", "awaitingResponse": 0, "pending": 1, "validated": 0}
    finally:
        await websocket.close()


async def test_following_is_refused_to_strangers_and_for_an_unknown_id(
    server: live.Server, scenario: Scenario, system: System
) -> None:
    cohort = cohort_of_one(scenario)
    await server.caught_up(system)
    stranger = await live.open_socket(server, None)
    member = await live.open_socket(server, scenario.principal("representative"))
    try:
        await live.acknowledged(stranger)
        await live.subscribe(stranger, FUNNEL, {"id": str(cohort)})
        refused = await error_of(stranger)
        assert refused["extensions"] == {"code": "UNAUTHENTICATED"}
        assert refused["message"].startswith("sign in to read cohorts")
        await live.acknowledged(member)
        unknown = uuid4()
        await live.subscribe(member, FUNNEL, {"id": str(unknown)})
        missing = await error_of(member)
        assert missing["extensions"] == {"code": "NOT_FOUND"}
        assert missing["message"] == f"no cohort with id {unknown}"
    finally:
        await stranger.close()
        await member.close()
