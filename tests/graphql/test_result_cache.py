"""View-query results are reused while the views stand still, and never across callers."""

from __future__ import annotations

from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.bootstrap.node import start_projections
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.conftest import Gql, Http, caught_up, http_client
from tests.graphql.scenario import Scenario

THEMES = "query($p: UUID!) { themes(partnershipId: $p) { edges { node { name } } } }"
DECISIONS = "query { decisions { edges { node { title } } } }"


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


async def test_over_http_a_repeated_request_is_answered_with_the_kept_bytes(
    http: Http, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    cache = http.api.services.results  # type: ignore[union-attr]
    assert cache is not None
    variables = {"p": str(scenario.partnership)}
    convenor = scenario.principal("convenor")
    first = await http.post(THEMES, variables, principal=convenor)
    assert first.headers.get_list("content-length") == [str(len(first.content))]
    kept = cache.response_hits
    again = await http.post(THEMES, variables, principal=convenor)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == "application/json"
    assert cache.response_hits == kept + 1

    added = await http.post(
        document("defineTheme"),
        {"input": {"partnershipId": str(scenario.partnership), "name": "Housing"}},
        principal=scenario.principal("admin"),
    )
    assert added.json()["data"]["defineTheme"]["projected"] is True
    after = (await http.post(THEMES, variables, principal=convenor)).json()
    assert [e["node"]["name"] for e in after["data"]["themes"]["edges"]] == [
        "Support services",
        "Housing",
    ]


async def test_over_http_answers_are_kept_per_caller_rights_and_never_with_errors(
    http: Http, scenario: Scenario, system: System, projections: Projections
) -> None:
    scenario.fresh_decision(scenario.group)
    await caught_up(system, projections)
    cache = http.api.services.results  # type: ignore[union-attr]
    assert cache is not None
    member = await http.post(DECISIONS, principal=scenario.principal("convenor"))
    assert len(member.json()["data"]["decisions"]["edges"]) == 1
    stranger = await http.post(DECISIONS, principal=scenario.principal("representative_other"))
    assert stranger.json()["data"]["decisions"]["edges"] == []

    broken = "query { decisions(first: 1000) { edges { node { title } } } }"
    hits = cache.hits
    for _ in range(2):
        refused = await http.post(broken, principal=scenario.principal("convenor"))
        assert refused.json()["errors"]
    forged = await http.post(DECISIONS, token="not-a-token")
    assert forged.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert cache.hits == hits


async def test_a_process_that_only_follows_never_answers_from_before_a_written_answer(
    http: Http,
    scenario: Scenario,
    system: System,
    settings: Settings,
    projections: Projections,
    keys: TokenKeys,
) -> None:
    # A second projector in the process finds the lock taken and follows, as another
    # worker process would; its API answers from the same views.
    standby = await start_projections(system)
    follower, api = await http_client(settings, system, standby.db, standby.runner, keys)
    try:
        await caught_up(system, projections)
        await caught_up(system, standby)
        assert projections.runner.is_active
        assert not standby.runner.is_active
        convenor = scenario.principal("convenor")
        variables = {"p": str(scenario.partnership)}
        before = await follower.post(THEMES, variables, principal=convenor)
        assert [e["node"]["name"] for e in before.json()["data"]["themes"]["edges"]] == [
            "Support services"
        ]
        added = await http.post(
            document("defineTheme"),
            {"input": {"partnershipId": str(scenario.partnership), "name": "Housing"}},
            principal=scenario.principal("admin"),
        )
        assert added.json()["data"]["defineTheme"]["projected"] is True
        # At once, before the follower could have learned of the commit by itself.
        after = await follower.post(THEMES, variables, principal=convenor)
        assert [e["node"]["name"] for e in after.json()["data"]["themes"]["edges"]] == [
            "Support services",
            "Housing",
        ]
    finally:
        await follower.client.aclose()
        await api.stop()
        await standby.stop()
