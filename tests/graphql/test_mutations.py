"""Mutations: who acted, typed refusals, idempotency, versions, read-your-writes."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from coordination.auth.principal import Principal, Role
from tests.graphql.cases import document
from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario

ADMIT = document("admitMember")
#: A refusal's code is its type's name in SCREAMING_SNAKE_CASE, as request errors' are.
CODES = {
    "NotFound": "NOT_FOUND",
    "RuleViolation": "RULE_VIOLATION",
    "InvalidInput": "INVALID_INPUT",
}
TABLE = document("tableProposal")


def admit(scn: Scenario, name: str = "Verdandi", **extra: Any) -> dict[str, Any]:
    return {
        "input": {"partnershipId": str(scn.partnership), "name": name, "kind": "ASSOCIATION"}
        | extra
    }


def table_in(scn: Scenario, group: UUID) -> dict[str, Any]:
    return {
        "input": {
            "partnershipId": str(scn.partnership),
            "forumKind": "WORKING_GROUP",
            "forumId": str(group),
            "title": "Guarantee fund",
            "text": "Pool a guarantee fund for cooperatives.",
            "rationale": "Banks refuse loans.",
        }
    }


async def test_events_carry_the_actor_organisation_and_request_of_the_token(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    request = str(uuid4())
    result = await gql_without_views.run(
        TABLE, table_in(scenario, scenario.group), scenario.principal("representative"), request
    )
    assert result.errors is None
    assert result.data is not None
    decision_id = UUID(result.data["tableProposal"]["createdId"])
    (event,) = list(scenario.app.events.get(decision_id))
    assert event.actor == str(scenario.reps["B"])  # type: ignore[attr-defined]
    assert event.acting_for == scenario.orgs["B"]  # type: ignore[attr-defined]
    assert event.correlation_id == UUID(request)  # type: ignore[attr-defined]
    assert event.origin == "test.example/coordination/log"  # type: ignore[attr-defined]


async def test_a_token_claiming_an_organisation_without_a_mandate_is_refused(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql = gql_without_views
    impostor = Principal(Role.REPRESENTATIVE, scenario.reps["B"], org=scenario.orgs["A"])
    before = gql.events()
    data = await gql.data(TABLE, table_in(scenario, scenario.group), impostor)
    refused = data["tableProposal"]
    assert refused["__typename"] == "Forbidden"
    assert "not a current representative" in refused["message"]
    assert gql.events() == before


async def test_a_representative_whose_mandate_ended_is_refused(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql = gql_without_views
    mandates = scenario.app.partnership(scenario.partnership).mandates
    mandate = next(m for m, v in mandates.items() if v.person_id == scenario.reps["B"])
    scenario.app.end_representation(
        scenario.secretariat(),
        scenario.partnership,
        mandate_id=mandate,
        ended_on=scenario.start.date(),
    )
    before = gql.events()
    data = await gql.data(
        document("joinWorkingGroup"),
        {"input": {"groupId": str(scenario.other_group)}},
        scenario.principal("representative"),
    )
    assert data["joinWorkingGroup"]["__typename"] == "Forbidden"
    assert gql.events() == before


async def test_a_retried_command_records_nothing_twice(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql, admin = gql_without_views, scenario.principal("admin")
    variables = admit(scenario, idempotencyKey="admit-verdandi")
    first = (await gql.data(ADMIT, variables, admin))["admitMember"]
    after_first = gql.events()
    again = (await gql.data(ADMIT, variables, admin))["admitMember"]
    assert again == first
    assert gql.events() == after_first
    reused = await gql.data(
        document("defineTheme"),
        {
            "input": {
                "partnershipId": str(scenario.partnership),
                "name": "Finance",
                "idempotencyKey": "admit-verdandi",
            }
        },
        admin,
    )
    assert reused["defineTheme"]["__typename"] == "Conflict"
    assert gql.events() == after_first


async def test_a_stale_expected_version_is_a_conflict(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql, admin = gql_without_views, scenario.principal("admin")
    version = scenario.app.partnership(scenario.partnership).version
    before = gql.events()
    stale = await gql.data(ADMIT, admit(scenario, expectedVersion=version - 1), admin)
    assert stale["admitMember"]["__typename"] == "Conflict"
    assert f"version {version}" in stale["admitMember"]["message"]
    assert gql.events() == before
    fresh = await gql.data(ADMIT, admit(scenario, expectedVersion=version), admin)
    assert fresh["admitMember"]["version"] == version + 1


@pytest.mark.parametrize(
    ("mutation", "make_input", "typename", "words"),
    [
        (
            "reportProgress",
            lambda s: {"actionId": str(uuid4()), "percent": 10},
            "NotFound",
            "no action",
        ),
        (
            "admitMember",
            lambda s: {"partnershipId": str(s.partnership), "name": "  ", "kind": "COMPANY"},
            "InvalidInput",
            "must not be empty",
        ),
        (
            "admitMember",
            lambda s: {
                "partnershipId": str(s.partnership),
                "name": "Organisation A",
                "kind": "COMPANY",
            },
            "RuleViolation",
            "already a member",
        ),
        (
            "closeDecision",
            lambda s: {"decisionId": str(s.fresh_decision(s.group))},
            "RuleViolation",
            "closed",
        ),
        (
            "admitMember",
            lambda s: {
                "partnershipId": str(s.partnership),
                "name": "X",
                "kind": "COMPANY",
                "idempotencyKey": "k" * 201,
            },
            "InvalidInput",
            "idempotencyKey has at most 200 characters",
        ),
        (
            "admitMember",
            lambda s: {
                "partnershipId": str(s.partnership),
                "name": "X",
                "kind": "COMPANY",
                "idempotencyKey": "   ",  # was told it has 1 to 200 characters, as it had
            },
            "InvalidInput",
            "a character other than spaces",
        ),
    ],
)
async def test_refusals_are_typed_and_say_why(
    scenario: Scenario,
    gql_without_views: Gql,
    mutation: str,
    make_input: Any,
    typename: str,
    words: str,
) -> None:
    gql = gql_without_views
    variables = {"input": make_input(scenario)}
    before = gql.events()
    data = await gql.data(document(mutation), variables, scenario.principal("admin"))
    refused = data[mutation]
    assert refused["__typename"] == typename
    assert refused["code"] == CODES[typename]
    assert words in refused["message"]
    assert gql.events() == before


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ({"kind": "NOT_A_KIND"}, "NOT_A_KIND"),
        ({"partnershipId": "not-a-uuid"}, "UUID"),
        ({"name": 42}, "String"),
        ({"actor": "someone else"}, "actor"),
    ],
)
async def test_malformed_inputs_are_graphql_errors_and_record_nothing(
    scenario: Scenario, gql_without_views: Gql, patch: dict[str, Any], words: str
) -> None:
    gql = gql_without_views
    variables = admit(scenario)
    variables["input"] |= patch
    before = gql.events()
    result = await gql.run(ADMIT, variables, scenario.principal("admin"))
    assert result.data is None
    assert result.errors
    assert words in str(result.errors[0])
    assert gql.events() == before


async def test_without_a_projector_the_answer_does_not_wait(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    data = await gql_without_views.data(ADMIT, admit(scenario), scenario.principal("admin"))
    assert data["admitMember"]["__typename"] == "AdmitMemberPayload"
    assert data["admitMember"]["projected"] is False


async def test_a_query_right_after_a_mutation_sees_it(scenario: Scenario, gql: Gql) -> None:
    admin = scenario.principal("admin")
    answer = await gql.data(
        "mutation($input: AdmitMemberInput!) { admitMember(input: $input) {"
        " ... on AdmitMemberPayload { createdId projected partnership { memberCount } } } }",
        admit(scenario, name="Stadsmissionen"),
        admin,
    )
    payload = answer["admitMember"]
    assert payload["projected"] is True
    assert payload["partnership"]["memberCount"] == 4
    seen = await gql.data(
        "query($id: UUID!) { organisation(uuid: $id) { name kind } }",
        {"id": payload["createdId"]},
    )
    assert seen["organisation"] == {"name": "Stadsmissionen", "kind": "ASSOCIATION"}
