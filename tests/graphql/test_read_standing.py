"""Reads check what writes check: a token's organisation counts while its holder holds a
mandate for it, a convenor token's groups while its holder convenes them.

They were read on the token's word: a representative whose mandate had ended read its
groups' decisions, positions and actions until the token expired, and a convenor token
naming a group its holder does not convene read that group's business. Each read field
that rests on the token's organisation or groups is asked by the rightful holder (who
sees) and by the other (who reads what one with no organisation, or a plain
representative of its organisation, reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from coordination.auth.principal import Principal, Role
from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.conftest import Gql, Http, caught_up
from tests.graphql.scenario import Scenario

DECISIONS_OF = (
    "query($forum: UUID!) { decisions(where: {forumId: $forum}) { edges { node { uuid } } } }"
)
DECISIONS = "query { decisions(first: 100) { edges { node { uuid } } } }"
DECISION = (
    "query($id: UUID!) { decision(uuid: $id) { uuid"
    " positions { edges { node { organisationId position } } } } }"
)
ACTIONS_OF = (
    "query($group: UUID!) { actions(where: {groupId: $group}) { edges { node { uuid } } } }"
)
ACTIONS = "query { actions(first: 100) { edges { node { uuid } } } }"
ACTION = "query($id: UUID!) { action(uuid: $id) { uuid } }"
MEMBERS = (
    "query($group: UUID!) { workingGroup(uuid: $group) { members { edges { node {"
    " organisationId } } } } }"
)


@dataclass
class Business:
    """One decision (with a position) and one action in each of G and H."""

    decisions: dict[UUID, UUID]
    actions: dict[UUID, UUID]


def appointed(scn: Scenario, label: str) -> tuple[UUID, UUID]:
    """A new representative of the organisation: the person and the mandate."""
    person = uuid4()
    mandate = scn.created(
        scn.app.appoint_representative(
            scn.secretariat(),
            scn.partnership,
            member_id=scn.orgs[label],
            person_id=person,
            starts_on=scn.start.date(),
        )
    )
    return person, mandate


def end(scn: Scenario, mandate: UUID) -> None:
    """End the mandate yesterday."""
    now = datetime.now(UTC)
    scn.app.end_representation(
        scn.secretariat(at=now),
        scn.partnership,
        mandate_id=mandate,
        ended_on=now.date() - timedelta(days=1),
    )


def former_representative(scn: Scenario, label: str) -> UUID:
    """A person whose mandate for the organisation ended yesterday."""
    person, mandate = appointed(scn, label)
    end(scn, mandate)
    return person


@pytest.fixture
async def business(scenario: Scenario, system: System, projections: Projections) -> Business:
    scn = scenario
    decisions, actions = {}, {}
    for group, member in ((scn.group, "B"), (scn.other_group, "C")):
        decisions[group] = scn.called_decision(group, proposer=member)
        scn.app.take_position(scn.of(member), decisions[group], position="agree")
        actions[group] = scn.fresh_action(group, owner=member)
    return Business(decisions, actions)


def codes(result: Any) -> list[str]:
    return [error.extensions.get("code") for error in result.errors or []]


async def reads(gql: Gql, who: Principal, group: UUID, business: Business) -> dict[str, Any]:
    """What `who` reads of the group's business, field by field: what it is shown, or
    the codes of the refusal."""
    decision, action = business.decisions[group], business.actions[group]

    async def outcome(document: str, variables: dict[str, Any], shown: Any) -> Any:
        result = await gql.run(document, variables, who)
        return codes(result) if result.errors else shown(result.data)

    one = await outcome(DECISION, {"id": str(decision)}, lambda data: data["decision"])
    return {
        "decisions(forumId)": codes(await gql.run(DECISIONS_OF, {"forum": str(group)}, who)),
        "decisions": await outcome(DECISIONS, {}, lambda data: str(decision) in str(data)),
        "decision": one if isinstance(one, list) else one is not None,
        "positions": one if isinstance(one, list) else bool(one and one["positions"]["edges"]),
        "actions(groupId)": codes(await gql.run(ACTIONS_OF, {"group": str(group)}, who)),
        "actions": await outcome(ACTIONS, {}, lambda data: str(action) in str(data)),
        "action": await outcome(
            ACTION, {"id": str(action)}, lambda data: data["action"] is not None
        ),
        "members": codes(await gql.run(MEMBERS, {"group": str(group)}, who)),
    }


SEES = {
    "decisions(forumId)": [],
    "decisions": True,
    "decision": True,
    "positions": True,
    "actions(groupId)": [],
    "actions": True,
    "action": True,
    "members": [],
}
DOES_NOT_SEE = {
    "decisions(forumId)": ["FORBIDDEN"],
    "decisions": False,
    "decision": False,
    "positions": False,
    "actions(groupId)": ["FORBIDDEN"],
    "actions": False,
    "action": False,
    "members": ["FORBIDDEN"],
}

#: A token whose holder's mandate ended: every read of the partnership's business is refused.
ENDED = {key: ["FORBIDDEN"] for key in DOES_NOT_SEE}


async def test_a_representative_whose_mandate_ended_reads_no_group_of_its_organisation(
    gql: Gql, scenario: Scenario, business: Business, system: System, projections: Projections
) -> None:
    scn = scenario
    former, mandate = appointed(scn, "B")
    scn.app.appoint_convenor(
        scn.secretariat(), scn.group, person_id=former, member_id=scn.orgs["B"]
    )
    await caught_up(system, projections)
    convenor = Principal(Role.CONVENOR, former, org=scn.orgs["B"], groups=frozenset({scn.group}))
    assert await reads(gql, convenor, scn.group, business) == SEES
    end(scn, mandate)
    await caught_up(system, projections)
    assert await reads(gql, convenor, scn.group, business) == ENDED
    ended = Principal(Role.REPRESENTATIVE, former, org=scn.orgs["B"])
    assert await reads(gql, ended, scn.group, business) == ENDED
    refused = await gql.run(DECISIONS_OF, {"forum": str(scn.group)}, ended)
    assert refused.errors is not None
    assert "no longer) represent its organisation" in refused.errors[0].message
    current = Principal(Role.REPRESENTATIVE, scn.reps["B"], org=scn.orgs["B"])
    assert await reads(gql, current, scn.group, business) == SEES


async def test_a_convenor_token_for_a_group_its_holder_does_not_convene_reads_as_a_representative(
    gql: Gql, scenario: Scenario, business: Business, system: System, projections: Projections
) -> None:
    scn = scenario
    await caught_up(system, projections)
    # A's representative convenes G; the token also names H, which C's representative
    # convenes and A is no member of.
    false = Principal(
        Role.CONVENOR, scn.reps["A"], org=scn.orgs["A"], groups=frozenset({scn.other_group})
    )
    assert await reads(gql, false, scn.other_group, business) == DOES_NOT_SEE
    assert await reads(gql, false, scn.group, business) == SEES  # as A's representative
    rightful = Principal(
        Role.CONVENOR, scn.reps["C"], org=scn.orgs["C"], groups=frozenset({scn.other_group})
    )
    assert await reads(gql, rightful, scn.other_group, business) == SEES


async def test_a_kept_answer_is_not_served_to_a_holder_whose_mandate_ended(
    http: Http, scenario: Scenario, business: Business, system: System, projections: Projections
) -> None:
    """The result cache kept answers per claims, not per person: a former representative
    sent the current one's query and was answered from memory."""
    scn = scenario
    former = former_representative(scn, "B")
    await caught_up(system, projections)
    variables = {"forum": str(scn.group)}
    current = Principal(Role.REPRESENTATIVE, scn.reps["B"], org=scn.orgs["B"])
    for _ in range(2):  # the second is answered from memory
        answered = (await http.post(DECISIONS_OF, variables, principal=current)).json()
        assert "errors" not in answered
        assert str(business.decisions[scn.group]) in str(answered)
    ended = Principal(Role.REPRESENTATIVE, former, org=scn.orgs["B"])
    refused = (await http.post(DECISIONS_OF, variables, principal=ended)).json()
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


PARTNERSHIP_BUSINESS = {
    "decisions": "query { decisions(first: 100) { edges { node { uuid } } } }",
    "workshops": "query { workshops(first: 100) { edges { node { uuid } } } }",
    "participation": "query { participation(first: 100) { edges { node { organisationId } } } }",
    "workingGroups": "query { forums(kind: WORKING_GROUP) { edges { node { name } } } }",
}


async def test_a_representative_whose_mandate_ended_reads_the_public_views_only(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    """The partnership's own business (its decisions and every organisation's position
    on them, workshops, participation, working groups) is read by those whose standing
    holds; a token that outlived its mandate reads what an anonymous caller reads."""
    scn = scenario
    decision = scn.created(
        scn.app.table_proposal(
            scn.of("A"),
            partnership_id=scn.partnership,
            forum_kind="partnership",
            forum_id=scn.partnership,
            title="A shared procurement charter",
            text="Members adopt one charter for social clauses.",
            rationale="One voice towards the region.",
        )
    )
    scn.app.call_decision(
        scn.secretariat(),
        decision,
        rule="majority",
        quorum_percent=50,
        closes_at=scn.start + timedelta(days=30),
    )
    scn.app.take_position(scn.of("B"), decision, position="agree")
    person, mandate = appointed(scn, "B")
    await caught_up(system, projections)
    token = Principal(Role.REPRESENTATIVE, person, org=scn.orgs["B"])
    for name, document in PARTNERSHIP_BUSINESS.items():
        assert (await gql.run(document, principal=token)).errors is None, name
    seen = await gql.data(DECISION, {"id": str(decision)}, token)
    assert seen["decision"]["positions"]["edges"]
    end(scn, mandate)
    await caught_up(system, projections)
    for name, document in PARTNERSHIP_BUSINESS.items():
        refused = await gql.run(document, principal=token)
        assert codes(refused) == ["FORBIDDEN"], name
        assert "reads the public views only" in refused.errors[0].message  # type: ignore[index]
    assert codes(await gql.run(DECISION, {"id": str(decision)}, token)) == ["FORBIDDEN"]
    public = await gql.data(
        "query($id: UUID!) { partnership(uuid: $id) { name } }",
        {"id": str(scn.partnership)},
        token,
    )
    assert public["partnership"] is not None
