"""View-query results are reused while the views stand still, and never across callers."""

from __future__ import annotations

from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.cases import document
from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario

THEMES = "query($p: UUID!) { themes(partnershipId: $p) { edges { node { name } } } }"
DECISIONS = "query { decisions { edges { node { title } } } }"


async def caught_up(system: System, projections: Projections) -> None:
    head = system.app.recorder.max_notification_id() or 0
    assert await projections.runner.wait_until(head, 10)


async def test_a_repeated_query_is_answered_from_memory_until_the_views_move(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    cache = gql.api.services.results  # type: ignore[union-attr]
    assert cache is not None
    variables = {"p": str(scenario.partnership)}
    first = await gql.data(THEMES, variables)
    hits = cache.hits
    again = await gql.data(THEMES, variables)
    assert again == first
    assert cache.hits == hits + 1

    added = await gql.data(
        document("defineTheme"),
        {"input": {"partnershipId": str(scenario.partnership), "name": "Housing"}},
        scenario.principal("admin"),
    )
    assert added["defineTheme"]["projected"] is True
    after = await gql.data(THEMES, variables)
    assert [e["node"]["name"] for e in after["themes"]["edges"]] == ["Support services", "Housing"]


async def test_callers_with_other_rights_do_not_share_results(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    scenario.fresh_decision(scenario.group)
    await caught_up(system, projections)
    member = await gql.data(DECISIONS, None, scenario.principal("convenor"))
    assert len(member["decisions"]["edges"]) == 1
    stranger = await gql.data(DECISIONS, None, scenario.principal("representative_other"))
    assert stranger["decisions"]["edges"] == []


async def test_the_audit_trail_is_never_cached(
    gql: Gql, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    cache = gql.api.services.results  # type: ignore[union-attr]
    assert cache is not None
    audit = "query { auditTrail(first: 1) { edges { cursor } } }"
    before = (cache.hits, cache.misses)
    for _ in range(2):
        await gql.data(audit, None, scenario.principal("auditor"))
    assert (cache.hits, cache.misses) == before
