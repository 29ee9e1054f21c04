"""Domain rules as the API shows them: a closed group's decisions, a withdrawn member's
vote, past workshops, and names and texts without control characters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, build_schema, get_named_type

from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.cases import ALLOWED, CASES, document
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario

DECISION = """query($id: UUID!) { decision(uuid: $id) {
  status endReason tally { block counted electorate } electorate withdrawnOrganisations
  positions { edges { node { organisationId position counted notCountedReason } } }
} }"""

#: Input fields that are names or titles (one line); every other text field is free text.
NAMES = {
    "establishPartnership": {"name", "programme", "region"},
    "adoptAgreement": {"title"},
    "admitMember": {"name"},
    "defineTheme": {"name"},
    "conveneWorkingGroup": {"name"},
    "tableProposal": {"title"},
    "reviseProposal": {"title"},
    "recordDecisionFromMinutes": {"title"},
    "planWorkshop": {"title", "venue", "audienceDescription", "organiserPartners"},
    "setAgenda": {"items"},
    "signCooperationAgreement": {"title"},
    "admitPartner": {"name"},
}
#: Text inputs the cases leave out, filled in so that they are checked too.
EXTRA = {"planWorkshop": {"venue": "Room 3", "organiserPartners": ["Coompanion"]}}
#: Text inputs that are not written by people: a key, a digest; a log's origin, a base
#: URL, a verifier key line, a key id, an audience (their own forms refuse controls too,
#: `tests/graphql/test_partners.py`).
NOT_WRITTEN = {
    *("idempotencyKey", "documentHash", "evidenceHash"),
    *("origin", "baseUrl", "vkey", "keyId", "sees", "members", "leadOrigin"),
}
SCHEMA = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())


def text_fields(mutation: str) -> list[str]:
    """The input fields of `mutation` that hold text people write (alone or in a list)."""
    kind = SCHEMA.get_type(f"{mutation[0].upper()}{mutation[1:]}Input")
    assert isinstance(kind, GraphQLInputObjectType)
    return sorted(
        name
        for name, field in kind.fields.items()
        if get_named_type(field.type).name == "String" and name not in NOT_WRITTEN
    )


def template(scenario: Scenario, mutation: str) -> dict[str, Any]:
    """A valid input of `mutation`, with the text inputs the case leaves out filled in."""
    kind, prepare = CASES[mutation]
    return prepare(scenario, scenario.principal(ALLOWED[kind][0])).input | EXTRA.get(mutation, {})


def spoiled(value: Any, bad: str) -> Any:
    if isinstance(value, list):
        return [spoiled(value[0], bad), *value[1:]]
    return f"Before{bad}after"


async def run_case(
    gql: Gql, scenario: Scenario, mutation: str, field: str, bad: str
) -> dict[str, Any]:
    kind, prepare = CASES[mutation]
    role = ALLOWED[kind][0]
    prepared = prepare(scenario, scenario.principal(role))
    prepared.input |= EXTRA.get(mutation, {})
    prepared.input[field] = spoiled(prepared.input.get(field), bad)
    before = gql.events()
    data = await gql.data(
        document(mutation), {"input": prepared.input}, scenario.principal(role, prepared.group)
    )
    assert gql.events() == before, f"{mutation}.{field} recorded something"
    answer: dict[str, Any] = data[mutation]
    return answer


@pytest.mark.parametrize("mutation", sorted(CASES))
async def test_no_text_input_takes_a_control_character(
    scenario: Scenario, gql_without_views: Gql, mutation: str
) -> None:
    for field in text_fields(mutation):
        for bad, said in (("\x1b[2J", "U+001B (ESC)"), ("\x07", "U+0007 (BEL)")):
            answer = await run_case(gql_without_views, scenario, mutation, field, bad)
            assert answer["__typename"] == "InvalidInput", (mutation, field, answer)
            assert f"must not contain the control character {said}" in answer["message"]
        if field in NAMES.get(mutation, ()):
            answer = await run_case(gql_without_views, scenario, mutation, field, "\n")
            assert answer["__typename"] == "InvalidInput", (mutation, field, answer)
            assert "must be one line without tabs" in answer["message"], answer


def test_the_name_fields_listed_here_are_text_inputs_of_their_mutations() -> None:
    for mutation, names in NAMES.items():
        assert names <= set(text_fields(mutation)), mutation


async def test_closing_a_group_withdraws_its_open_decision_and_refuses_the_rest(
    scenario: Scenario, gql: Gql
) -> None:
    group = scenario.fresh_group()
    decision = scenario.called_decision(group)
    scenario.app.take_position(scenario.of("A"), decision, position="agree")
    convenor = scenario.principal("convenor", group)
    closing = await gql.data(
        document("closeWorkingGroup"),
        {"input": {"groupId": str(group), "reason": "Merged"}},
        convenor,
    )
    assert closing["closeWorkingGroup"]["projected"] is True

    seen = (await gql.data(DECISION, {"id": str(decision)}, scenario.principal("admin")))[
        "decision"
    ]
    assert (seen["status"], seen["endReason"]) == (
        "WITHDRAWN",
        "withdrawn because the working group was closed",
    )
    assert [e["node"]["position"] for e in seen["positions"]["edges"]] == ["AGREE"]  # kept
    before = gql.events()
    refused = await gql.data(
        document("takePosition"),
        {"input": {"decisionId": str(decision), "position": "AGREE"}},
        scenario.principal("representative"),
    )
    assert refused["takePosition"]["__typename"] == "RuleViolation"
    assert "is closed: it accepts nothing more" in refused["takePosition"]["message"]
    assert gql.events() == before


async def test_a_withdrawn_member_s_position_is_listed_but_not_counted(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    group = scenario.fresh_group(members=("A", "B", "C"))
    decision = scenario.called_decision(group)
    scenario.app.take_position(scenario.of("A"), decision, position="agree")
    scenario.app.take_position(scenario.of("C"), decision, position="block", reason="No")
    scenario.app.withdraw_member(
        scenario.secretariat(), scenario.partnership, member_id=scenario.orgs["C"], reason="Gone"
    )
    await caught_up(system, projections)

    seen = (await gql.data(DECISION, {"id": str(decision)}, scenario.principal("admin")))[
        "decision"
    ]

    # C withdrew: its block is listed, not counted, and C is no longer of the electorate.
    assert seen["tally"] == {"block": 0, "counted": 1, "electorate": 2}
    assert len(seen["electorate"]) == 3
    assert seen["withdrawnOrganisations"] == [str(scenario.orgs["C"])]
    marks = {
        e["node"]["organisationId"]: (e["node"]["counted"], e["node"]["notCountedReason"])
        for e in seen["positions"]["edges"]
    }
    assert marks == {
        str(scenario.orgs["A"]): (True, None),
        str(scenario.orgs["C"]): (False, "the organisation has withdrawn from the partnership"),
    }


async def test_a_past_workshop_is_planned_only_when_the_plan_says_so(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql = gql_without_views
    group = scenario.fresh_group()
    started = datetime.now(UTC) - timedelta(days=2)
    plan = template(scenario, "planWorkshop") | {
        "organiserGroupIds": [str(group)],
        "startsAt": started.isoformat(),
        "endsAt": (started + timedelta(hours=3)).isoformat(),
    }
    admin = scenario.principal("admin")
    before = gql.events()
    refused = (await gql.data(document("planWorkshop"), {"input": plan}, admin))["planWorkshop"]
    assert refused["__typename"] == "InvalidInput"
    assert refused["message"].startswith("startsAt must be later than now")
    assert "planned as the record of a past workshop" in refused["message"]
    assert gql.events() == before

    recorded = await gql.data(
        document("planWorkshop"), {"input": plan | {"recordsPast": True}}, admin
    )
    assert recorded["planWorkshop"]["__typename"] == "PlanWorkshopPayload"
    held = await gql.data(
        document("holdWorkshop"),
        {"input": {"workshopId": recorded["planWorkshop"]["createdId"]}},
        admin,
    )
    assert held["holdWorkshop"]["__typename"] == "HoldWorkshopPayload"
