"""Cursor pagination at its edges, through GraphQL: empty, one page, last page, gone rows."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario

ORGANISATIONS = (
    "query($p: UUID!, $first: Int!, $after: String) {"
    " organisations(partnershipId: $p, first: $first, after: $after) {"
    " edges { cursor node { name } }"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)
REGISTRATIONS = (
    "query($w: UUID!, $first: Int!, $after: String) { workshop(uuid: $w) {"
    " registrations(first: $first, after: $after) { edges { cursor node { uuid } }"
    " pageInfo { hasNextPage endCursor } } } }"
)


async def page(gql: Gql, scn: Scenario, first: int, after: str | None = None) -> Any:
    data = await gql.data(
        ORGANISATIONS, {"p": str(scn.partnership), "first": first, "after": after}
    )
    return data["organisations"]


async def test_pages_at_the_edges(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    exact = await page(gql, scenario, 3)
    assert [e["node"]["name"] for e in exact["edges"]] == [
        "Organisation A",
        "Organisation B",
        "Organisation C",
    ]
    assert exact["pageInfo"]["hasNextPage"] is False
    assert exact["pageInfo"]["hasPreviousPage"] is False
    assert exact["pageInfo"]["startCursor"] == exact["edges"][0]["cursor"]

    first = await page(gql, scenario, 2)
    assert first["pageInfo"]["hasNextPage"] is True
    last = await page(gql, scenario, 2, first["pageInfo"]["endCursor"])
    assert [e["node"]["name"] for e in last["edges"]] == ["Organisation C"]
    assert last["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": last["edges"][0]["cursor"],
        "endCursor": last["edges"][0]["cursor"],
    }
    beyond = await page(gql, scenario, 2, last["pageInfo"]["endCursor"])
    assert beyond["edges"] == []
    assert beyond["pageInfo"]["hasNextPage"] is False
    assert beyond["pageInfo"]["endCursor"] is None
    none = await page(gql, scenario, 0)
    assert none["edges"] == []


async def test_an_empty_list(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    data = await gql.data(
        "query($g: UUID!) { decisions(where: {forumId: $g}) { edges { cursor }"
        " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
        {"g": str(scenario.group)},
        scenario.principal("convenor"),
    )
    assert data["decisions"] == {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


async def test_the_cursor_of_a_row_gone_from_the_list_still_continues(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    workshop = scenario.fresh_workshop(scenario.group)
    registrations: list[UUID] = [
        scenario.created(
            scenario.app.register(
                scenario.secretariat(),
                workshop,
                person_id=uuid4(),
                organisation_id=scenario.orgs["B"],
                role="speaker",
            )
        )
        for _ in range(3)
    ]
    await caught_up(system, projections)
    admin = scenario.principal("admin")

    async def listed(first: int, after: str | None = None) -> list[dict[str, Any]]:
        variables = {"w": str(workshop), "first": first, "after": after}
        data = await gql.data(REGISTRATIONS, variables, admin)
        edges: list[dict[str, Any]] = data["workshop"]["registrations"]["edges"]
        return edges

    in_order = await listed(10)
    assert {UUID(e["node"]["uuid"]) for e in in_order} == set(registrations)
    gone, cursor = in_order[0]["node"]["uuid"], in_order[0]["cursor"]
    scenario.app.cancel_registration(scenario.secretariat(), workshop, registration_id=UUID(gone))
    await caught_up(system, projections)
    assert gone not in [e["node"]["uuid"] for e in await listed(10)]
    following = await listed(1, cursor)
    assert [e["node"]["uuid"] for e in following] == [in_order[1]["node"]["uuid"]]
    rest = await listed(10, cursor)
    assert [e["node"]["uuid"] for e in rest] == [e["node"]["uuid"] for e in in_order[1:]]


async def test_bad_pages_and_cursors_are_refused(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    cursor = (await page(gql, scenario, 1))["pageInfo"]["endCursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    for first, after, words in [
        (100_000, None, "between 0 and 100"),
        (-1, None, "between 0 and 100"),
        (101, None, "between 0 and 100"),
        (2, tampered, "cursor"),
        (2, "not a cursor at all", "cursor"),
    ]:
        result = await gql.run(
            ORGANISATIONS, {"p": str(scenario.partnership), "first": first, "after": after}
        )
        assert result.errors, (first, after)
        assert result.errors[0].extensions == {
            "code": "BAD_USER_INPUT",
            "argument": "first" if after is None else "after",
        }
        assert words in result.errors[0].message.lower()
    foreign = (await gql.data("query { themes(first: 1) { pageInfo { endCursor } } }"))["themes"][
        "pageInfo"
    ]["endCursor"]
    result = await gql.run(
        ORGANISATIONS, {"p": str(scenario.partnership), "first": 2, "after": foreign}
    )
    assert result.errors
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"


GROUP_POSITIONS = (
    "query($g: UUID!, $first: Int!) { workingGroup(uuid: $g) { decisions(first: 10) {"
    " edges { node { uuid positions(first: $first) { edges { cursor node { position } }"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } } } }"
)
DECISION_POSITIONS = (
    "query($d: UUID!, $after: String) { decision(uuid: $d) {"
    " positions(first: 5, after: $after) { edges { node { position } } } } }"
)


async def test_the_positions_of_a_page_of_decisions_are_read_at_once_and_page_alike(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    from coordination.projections.queries import decisions as views

    group = scenario.fresh_group(members=("A", "B", "C"))
    voters = {}
    for labels in (("A", "B", "C"), ("B",), ()):
        decision = scenario.called_decision(group)
        for label in labels:
            system.app.take_position(scenario.of(label), decision, position="agree")
        voters[decision] = labels
    await caught_up(system, projections)
    db = projections.db
    for first in (0, 1, 2, 3, 20):
        together = await views.list_positions_of(db, list(voters), first=first)
        for decision, labels in voters.items():
            alone = await views.list_positions(db, decision, first=first)
            assert together[decision] == alone, (first, labels)

    # Through GraphQL: a group page's decisions, then the rest of one from its cursor.
    admin = scenario.principal("admin")
    data = await gql.data(GROUP_POSITIONS, {"g": str(group), "first": 2}, admin)
    pages = {
        UUID(e["node"]["uuid"]): e["node"]["positions"]
        for e in data["workingGroup"]["decisions"]["edges"]
    }
    assert {d: len(p["edges"]) for d, p in pages.items()} == {
        d: min(2, len(labels)) for d, labels in voters.items()
    }
    full = next(d for d, labels in voters.items() if len(labels) == 3)
    assert pages[full]["pageInfo"]["hasNextPage"] is True
    assert pages[full]["pageInfo"]["hasPreviousPage"] is False
    rest = await gql.data(
        DECISION_POSITIONS, {"d": str(full), "after": pages[full]["pageInfo"]["endCursor"]}, admin
    )
    assert len(rest["decision"]["positions"]["edges"]) == 1
