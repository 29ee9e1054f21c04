"""Lists across forums page over the rows the caller may read, never over the others.

A caller who belongs to some working groups and not others gets pages of `first`
readable rows while that many remain, a `hasNextPage` that is false once the readable
rows run out (even when unreadable ones follow), and never a row it may not read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from coordination.auth.principal import Principal, Role
from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario, unique

DECISIONS = (
    "query($first: Int!, $after: String) { decisions(first: $first, after: $after) {"
    " edges { node { uuid } } pageInfo { hasNextPage endCursor } } }"
)
ACTIONS = (
    "query($first: Int!, $after: String) { actions(first: $first, after: $after) {"
    " edges { node { uuid } } pageInfo { hasNextPage endCursor } } }"
)


async def walk(gql: Gql, document: str, principal: Principal, first: int) -> list[UUID]:
    """Every row of the list, page by page, checking each page is full but the last."""
    seen: list[UUID] = []
    after: str | None = None
    while True:
        data = await gql.data(document, {"first": first, "after": after}, principal)
        (connection,) = data.values()
        rows = [UUID(edge["node"]["uuid"]) for edge in connection["edges"]]
        info: dict[str, Any] = connection["pageInfo"]
        seen.extend(rows)
        if not info["hasNextPage"]:
            # The last page is not empty unless the whole list is.
            assert rows or not seen
            return seen
        assert len(rows) == first, (first, len(seen))
        after = info["endCursor"]


def partnership_decision(scn: Scenario) -> UUID:
    return scn.created(
        scn.app.table_proposal(
            scn.of("A"),
            partnership_id=scn.partnership,
            forum_kind="partnership",
            forum_id=scn.partnership,
            title=unique("Annual plan"),
            text="The partnership adopts its annual plan.",
            rationale="The programme asks for one.",
        )
    )


def loose_action(scn: Scenario) -> UUID:
    """An action outside any working group: agreed by a decision of the partnership."""
    return scn.created(
        scn.app.assign_action(
            scn.secretariat(),
            partnership_id=scn.partnership,
            group_id=None,
            owner_id=scn.orgs["B"],
            description=unique("Report to the programme"),
            due_on=scn.start.date() + timedelta(days=60),
            source_kind="decision",
            source_id=partnership_decision(scn),
        )
    )


async def test_decision_pages_are_full_of_readable_rows(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    scn = scenario
    third = scn.fresh_group(members=("C",), convenor="C")
    # Tabling order: unreadable rows for B before, between and after its readable ones.
    plan = [third, scn.other_group, scn.group, None, scn.other_group, scn.group, third]
    plan += [scn.group, scn.other_group, third, scn.other_group]
    made: list[tuple[UUID | None, UUID]] = []
    for forum in plan:
        if forum is None:
            made.append((None, partnership_decision(scn)))
        else:
            made.append((forum, scn.fresh_decision(forum, "A" if forum == scn.group else "C")))
    await caught_up(system, projections)

    def of(*forums: UUID | None) -> list[UUID]:
        return [decision for forum, decision in made if forum in forums]

    member_b = scn.principal("representative")
    # B's organisation is a member of G only; the token names H, which its holder does not
    # convene (C's representative does): G by membership, and H no more than for any
    # representative of B. H's rows used to be read on the token's word.
    named = Principal(
        Role.CONVENOR, scn.reps["B"], org=scn.orgs["B"], groups=frozenset({scn.other_group})
    )
    for principal, readable in [
        (member_b, of(None, scn.group)),
        (named, of(None, scn.group)),
        # C is a member of H and of the third group; G is not its own.
        (scn.principal("convenor_other"), of(None, scn.other_group, third)),
        (scn.principal("auditor"), of(None, scn.group, scn.other_group, third)),
    ]:
        for first in (1, 2, 3, 100):
            assert await walk(gql, DECISIONS, principal, first) == readable, (principal, first)


async def test_action_pages_are_full_of_readable_rows(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    scn = scenario
    # Due dates rise with the plan (as `fresh_action`'s), so the list is in the plan's order.
    plan = [scn.other_group, scn.group, None, scn.other_group, scn.other_group, scn.group]
    plan += [scn.other_group]
    made: list[tuple[UUID | None, UUID]] = []
    for forum in plan:
        scn.start += timedelta(days=1)
        if forum is None:
            made.append((None, loose_action(scn)))
        else:
            owner = "B" if forum == scn.group else "C"
            made.append((forum, scn.fresh_action(forum, owner)))
    await caught_up(system, projections)

    def of(*forums: UUID | None) -> list[UUID]:
        return [action for forum, action in made if forum in forums]

    for principal, readable in [
        (scn.principal("representative"), of(None, scn.group)),
        (scn.principal("representative_other"), of(None, scn.other_group)),
        (scn.principal("admin"), of(None, scn.group, scn.other_group)),
    ]:
        for first in (1, 2, 100):
            assert await walk(gql, ACTIONS, principal, first) == readable, (principal, first)
    # The last readable row is followed by unreadable ones: its page says nothing follows.
    page = await gql.data(ACTIONS, {"first": 3, "after": None}, scn.principal("representative"))
    assert page["actions"]["pageInfo"]["hasNextPage"] is False
