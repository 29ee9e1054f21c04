"""The agreement check (decision 31): a query the direct path answers differently from
strawberry's path is an error the test sees, unless the data moved between the answers;
a mutation is never run twice; a production node never checks.

The whole suite runs with the check on (tests/conftest.py), so every other test's
queries are compared too; these show that the check can fail, and when it must not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from graphql import ExecutionResult

from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.graphql import agreement
from coordination.graphql.router import GraphQLApi
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.conftest import Http, caught_up, http_client
from tests.graphql.scenario import Scenario

THEMES = "query($p: UUID!) { themes(partnershipId: $p) { edges { node { name } } } }"


@pytest.fixture
async def http(
    system: System, settings: Settings, projections: Projections, keys: TokenKeys
) -> AsyncIterator[Http]:
    """The endpoint over HTTP with the check on, whatever the session's switch says."""
    checked = settings.model_copy(update={"graphql_agreement_check": True})
    client, api = await http_client(checked, system, projections.db, projections.runner, keys)
    yield client
    await client.client.aclose()
    await api.stop()


@pytest.fixture
def disagreements() -> Iterator[list[agreement.Disagreement]]:
    """The disagreements a test provokes on purpose, taken out of the suite's record."""
    found: list[agreement.Disagreement] = []
    yield found
    found.extend(agreement.DISAGREEMENTS)
    agreement.DISAGREEMENTS.clear()


def _altered(http: Http, before_answering: Any = None) -> None:
    """Make the direct path alone answer every theme `Changed`."""
    execute = http.api.direct._execute

    async def altered(*args: Any) -> ExecutionResult:
        result = await execute(*args)
        if before_answering is not None:
            before_answering()
        edges = [{"node": {"name": "Changed"}}]
        return ExecutionResult({"themes": {"edges": edges}}, result.errors)

    http.api.direct._execute = altered  # type: ignore[method-assign]


async def test_a_query_the_paths_answer_differently_is_an_error(
    http: Http,
    scenario: Scenario,
    system: System,
    projections: Projections,
    disagreements: list[agreement.Disagreement],
) -> None:
    await caught_up(system, projections)
    _altered(http)
    response = await http.post(THEMES, {"p": str(scenario.partnership)})
    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "PATHS_DISAGREE"
    assert error["extensions"]["direct"][1]["data"]["themes"]["edges"][0]["node"]["name"] == (
        "Changed"
    )
    assert error["extensions"]["strawberry"][1]["data"]["themes"]["edges"][0]["node"]["name"] == (
        "Support services"
    )
    assert [found.query for found in agreement.DISAGREEMENTS] == [THEMES]


async def test_answers_are_not_compared_when_the_data_moved_between_them(
    http: Http, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    moved = agreement.COUNTS["moved"]
    # An event recorded while the direct path answers: strawberry's answer comes after it.
    _altered(http, scenario.fresh_group)
    response = await http.post(THEMES, {"p": str(scenario.partnership)})
    assert response.status_code == 200
    assert response.json()["data"]["themes"]["edges"] == [{"node": {"name": "Changed"}}]
    assert agreement.COUNTS["moved"] == moved + 1
    assert agreement.DISAGREEMENTS == []


async def test_equal_answers_pass_and_a_mutation_runs_once(
    http: Http, scenario: Scenario, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    compared = agreement.COUNTS["compared"]
    assert (await http.post(THEMES, {"p": str(scenario.partnership)})).status_code == 200
    assert agreement.COUNTS["compared"] == compared + 1
    head = system.app.recorder.max_notification_id()
    added = await http.post(
        document("defineTheme"),
        {"input": {"partnershipId": str(scenario.partnership), "name": "Housing"}},
        principal=scenario.principal("admin"),
    )
    assert added.json()["data"]["defineTheme"]["projected"] is True
    assert system.app.recorder.max_notification_id() == (head or 0) + 1
    assert agreement.COUNTS["compared"] == compared + 1


def test_only_the_switch_outside_production_builds_the_check(settings: Settings) -> None:
    assert GraphQLApi(settings.model_copy(update={"graphql_agreement_check": True})).agreement
    off = settings.model_copy(update={"graphql_agreement_check": False})
    assert GraphQLApi(off).agreement is None
    production = settings.model_copy(update={"graphql_agreement_check": True, "env": "production"})
    assert GraphQLApi(production).agreement is None
