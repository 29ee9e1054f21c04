"""A token's claims hold only while the streams agree: convenorship and mandates.

A convenor's token names the groups it runs and a representative's its organisation; a
token lives up to a year. The group's stream says who convenes it, the partnership's who
represents whom, today. These were not consulted for the commands a convenor runs in its
groups, nor for those a representative runs on what its organisation owns: a stranger
with a convenor token could close a group, and a former representative complete an
action. Each case is refused and records nothing; the rightful holder still succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from coordination.auth.principal import Principal, Role
from tests.graphql.cases import CASES, document
from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario

Who = Callable[[UUID], Principal]


def convenor(scenario: Scenario, org: str, person: UUID | None = None) -> Who:
    """A convenor token for `org` (its representative unless `person` is given), naming
    the group of the command's target."""
    person = person or scenario.reps[org]
    return lambda group: Principal(
        Role.CONVENOR, person, org=scenario.orgs[org], groups=frozenset({group})
    )


def end_mandates(scenario: Scenario, org: str) -> None:
    """End the mandates of `org`'s representative yesterday."""
    app, now = scenario.app, datetime.now(UTC)
    for mandate_id, mandate in app.partnership(scenario.partnership).mandates.items():
        if (mandate.person_id, mandate.member_id) == (scenario.reps[org], scenario.orgs[org]):
            app.end_representation(
                scenario.secretariat(at=now),
                scenario.partnership,
                mandate_id=mandate_id,
                ended_on=now.date() - timedelta(days=1),
            )


def appoint(scenario: Scenario, org: str) -> Callable[[UUID], None]:
    """Make `org`'s representative the convenor of a group, from now."""

    def to(group: UUID) -> None:
        scenario.app.appoint_convenor(
            scenario.secretariat(at=datetime.now(UTC)),
            group,
            person_id=scenario.reps[org],
            member_id=scenario.orgs[org],
        )

    return to


async def run(
    gql: Gql,
    mutation: str,
    scenario: Scenario,
    who: Who,
    meanwhile: Callable[[UUID], None] | None = None,
) -> dict[str, str]:
    """`mutation` on a fresh target, prepared for the scenario's convenor (A's
    representative); `meanwhile` runs on the target's group before it is sent."""
    _, prepare = CASES[mutation]
    prepared = prepare(scenario, scenario.principal("convenor"))
    group = prepared.group or scenario.group
    if meanwhile is not None:
        meanwhile(group)
    before = gql.events()
    data = await gql.data(document(mutation), {"input": prepared.input}, who(group))
    outcome: dict[str, str] = data[mutation]
    if outcome["__typename"] == "Forbidden":
        assert gql.events() == before
    return outcome


async def test_a_convenor_token_of_someone_who_does_not_convene_the_group_is_refused(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql = gql_without_views
    for who, reason in [
        # Nobody's representative: refused for the organisation before the group.
        (convenor(scenario, "A", person=uuid4()), "not a current representative"),
        (convenor(scenario, "C"), "does not (or no longer) convene"),  # C is not in the group
        (convenor(scenario, "B"), "does not (or no longer) convene"),  # a member, not its convenor
    ]:
        for mutation in ("closeWorkingGroup", "callDecision", "assignAction"):
            outcome = await run(gql, mutation, scenario, who)
            assert outcome["__typename"] == "Forbidden", (mutation, outcome)
            assert reason in outcome["message"]
    rightful = await run(gql, "callDecision", scenario, convenor(scenario, "A"))
    assert rightful["__typename"] == "CallDecisionPayload"


async def test_the_previous_convenor_is_refused_once_another_is_appointed(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql, to_b = gql_without_views, appoint(scenario, "B")
    previous = await run(gql, "callDecision", scenario, convenor(scenario, "A"), to_b)
    assert previous["__typename"] == "Forbidden"
    new = await run(gql, "callDecision", scenario, convenor(scenario, "B"), to_b)
    assert new["__typename"] == "CallDecisionPayload"


async def test_a_convenor_whose_mandate_ended_is_refused(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    end_mandates(scenario, "A")
    outcome = await run(gql_without_views, "closeWorkingGroup", scenario, convenor(scenario, "A"))
    assert outcome["__typename"] == "Forbidden"


async def test_a_former_representative_no_longer_acts_on_what_its_organisation_owns(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql = gql_without_views

    def representative(_group: UUID) -> Principal:
        return scenario.principal("representative")  # B's, and B owns the action

    first = await run(gql, "reportProgress", scenario, representative)
    assert first["__typename"] == "ReportProgressPayload"
    end_mandates(scenario, "B")
    for mutation in ("reportProgress", "completeAction"):
        outcome = await run(gql, mutation, scenario, representative)
        assert outcome["__typename"] == "Forbidden", (mutation, outcome)
        assert "represent" in outcome["message"]
