"""A representative set of mutations and queries over real HTTP (ASGI), as clients send them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tests.graphql.cases import document
from tests.graphql.conftest import Http
from tests.graphql.scenario import Scenario


async def run(http: Http, mutation: str, input: dict[str, Any], **kwargs: Any) -> Any:
    response = await http.post(document(mutation), {"input": input}, **kwargs)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    return body["data"][mutation]


async def test_a_convenor_plans_a_workshop_and_members_register(
    http: Http, scenario: Scenario
) -> None:
    convenor = scenario.principal("convenor")
    starts = datetime.now(UTC) + timedelta(days=14)
    planned = await run(
        http,
        "planWorkshop",
        {
            "partnershipId": str(scenario.partnership),
            "organiserGroupIds": [str(scenario.group)],
            "organiserPartners": ["Coompanion"],
            "themeId": str(scenario.theme),
            "title": "Tenders and social clauses",
            "format": "HYBRID",
            "venue": "City hall",
            "capacity": 2,
            "startsAt": starts.isoformat(),
            "endsAt": (starts + timedelta(hours=3)).isoformat(),
            "audienceDescription": "buyers and social enterprises",
            "idempotencyKey": "plan-tenders",
        },
        principal=convenor,
    )
    assert planned["__typename"] == "PlanWorkshopPayload"
    assert planned["projected"] is True
    workshop = planned["createdId"]

    representative = scenario.principal("representative")
    registered = await run(
        http,
        "register",
        {
            "workshopId": workshop,
            "personId": str(uuid4()),
            "organisationId": str(scenario.orgs["B"]),
            "role": "SOCIAL_ECONOMY_ACTOR",
        },
        principal=representative,
    )
    assert registered["__typename"] == "RegisterPayload"
    for_another = await run(
        http,
        "register",
        {
            "workshopId": workshop,
            "personId": str(uuid4()),
            "organisationId": str(scenario.orgs["C"]),
            "role": "SPEAKER",
        },
        principal=representative,
    )
    assert for_another["__typename"] == "Forbidden"

    seen = (
        await http.post(
            "query($w: UUID!) { workshop(uuid: $w) { title registered status"
            " registrations { edges { node { organisationId role } } } } }",
            {"w": workshop},
            principal=representative,
        )
    ).json()["data"]["workshop"]
    assert seen["registered"] == 1
    assert seen["status"] == "PLANNED"
    assert seen["registrations"]["edges"][0]["node"]["role"] == "SOCIAL_ECONOMY_ACTOR"


async def test_the_request_id_becomes_the_correlation_id_of_the_events(
    http: Http, scenario: Scenario
) -> None:
    request = str(uuid4())
    theme = await run(
        http,
        "defineTheme",
        {"partnershipId": str(scenario.partnership), "name": "Housing"},
        principal=scenario.principal("admin"),
        headers={"X-Request-ID": request},
    )
    events = list(scenario.app.events.get(scenario.partnership))
    last = events[-1]
    assert last.originator_version == theme["version"]
    assert last.correlation_id == UUID(request)  # type: ignore[attr-defined]
    assert last.actor == str(scenario.admin)  # type: ignore[attr-defined]


async def test_a_decision_from_tabling_to_adoption(http: Http, scenario: Scenario) -> None:
    convenor, member = scenario.principal("convenor"), scenario.principal("representative")
    tabled = await run(
        http,
        "tableProposal",
        {
            "partnershipId": str(scenario.partnership),
            "forumKind": "WORKING_GROUP",
            "forumId": str(scenario.group),
            "title": "Lots small enough to bid on",
            "text": "Split tenders into lots.",
            "rationale": "Small cooperatives cannot bid.",
        },
        principal=member,
    )
    decision = tabled["createdId"]
    called = await run(
        http,
        "callDecision",
        {
            "decisionId": decision,
            "quorumPercent": 50,
            "closesAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            "expectedVersion": tabled["version"],
        },
        principal=convenor,
    )
    assert called["__typename"] == "CallDecisionPayload"
    for who in (member, convenor):
        taken = await run(
            http, "takePosition", {"decisionId": decision, "position": "AGREE"}, principal=who
        )
        assert taken["__typename"] == "TakePositionPayload"
    closed = await run(http, "closeDecision", {"decisionId": decision}, principal=convenor)
    assert closed["__typename"] == "CloseDecisionPayload"
    adopted = await run(
        http,
        "adoptDecision",
        {
            "decisionId": decision,
            "outcome": "Lots it is",
            "effectiveOn": datetime.now(UTC).date().isoformat(),
        },
        principal=convenor,
    )
    assert adopted["__typename"] == "AdoptDecisionPayload"
    state = (
        await http.post(
            "query($d: UUID!) { decision(uuid: $d) { status inForce rule"
            " tally { agree counted } positions { edges { node { position } } } } }",
            {"d": decision},
            principal=member,
        )
    ).json()["data"]["decision"]
    assert state["status"] == "ADOPTED"
    assert state["inForce"] is True
    assert state["rule"] == "CONSENT"
    assert state["tally"] == {"agree": 2, "counted": 2}
