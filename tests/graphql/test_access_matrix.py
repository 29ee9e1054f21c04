"""The role x mutation matrix, run through `schema.execute` on both backends.

For every mutation: each principal the rules allow runs it on a fresh target and gets
its payload; each principal they refuse gets a `Forbidden` payload and nothing is
recorded. This also runs every mutation of B1-B10 at least once through GraphQL.
"""

from __future__ import annotations

import pytest

from coordination.auth.authorization.matrix import MATRIX
from tests.graphql.cases import ALLOWED, CASES, REFUSED, document
from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario


def test_every_command_has_a_case_and_a_rule() -> None:
    assert set(CASES) == set(MATRIX)
    assert len(CASES) == 99


@pytest.mark.parametrize("mutation", sorted(CASES))
async def test_allowed_roles_run_it_refused_roles_do_not(
    mutation: str, scenario: Scenario, gql_without_views: Gql
) -> None:
    gql = gql_without_views
    kind, prepare = CASES[mutation]
    for role in ALLOWED[kind]:
        prepared = prepare(scenario, scenario.principal(role))
        who = scenario.principal(role, prepared.group)
        before = gql.events()
        data = await gql.data(document(mutation), {"input": prepared.input}, who)
        outcome = data[mutation]
        assert outcome["__typename"] == mutation[0].upper() + mutation[1:] + "Payload", (
            role,
            outcome,
        )
        assert outcome["version"] >= 1
        assert gql.events() > before

    prepared = prepare(scenario, scenario.principal(ALLOWED[kind][0]))
    for role in REFUSED[kind]:
        before = gql.events()
        data = await gql.data(
            document(mutation), {"input": prepared.input}, scenario.principal(role)
        )
        outcome = data[mutation]
        assert outcome["__typename"] == "Forbidden", (role, outcome)
        assert outcome["code"] == "FORBIDDEN"
        assert outcome["message"]
        assert gql.events() == before, role
