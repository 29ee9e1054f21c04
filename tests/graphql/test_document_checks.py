"""`DocumentChecks` and `document_measures`: what a document measures, what is refused,
and that no document within the token limit takes long to check."""

from __future__ import annotations

import time

import pytest
from graphql import parse

from coordination.graphql.context import GraphQLConfig
from coordination.graphql.document_checks import MERGE_BUDGET, DocumentChecks
from coordination.graphql.document_measures import Measure, measure_operations
from coordination.graphql.pipeline import coded
from coordination.graphql.schema import build_schema
from tests.graphql.hostile import HOSTILE, doubling_spreads

SCHEMA = build_schema()._schema
PRODUCTION = GraphQLConfig(production=True)


def measures(document: str) -> dict[str, Measure]:
    """The measure of each operation of `document`, by name."""
    operations = measure_operations(SCHEMA, parse(document, no_location=True), 100_000)
    return {node.name.value if node.name else "": measure for node, measure in operations}


def messages(checks: DocumentChecks, document: str) -> list[str]:
    """The messages of the errors refusing `document`, each coded as both paths show it."""
    errors = [coded(error) for error in checks.check(document).errors]
    for error in errors:
        assert error.extensions is not None
        assert error.extensions["code"] in {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}
    return [error.message for error in errors]


def test_a_document_measures_as_with_its_spreads_written_out() -> None:
    spread = (
        "fragment Named on Forum { title: name } "
        "fragment Page on ForumConnection { edges { node { ...Named kind: __typename } } } "
        "query Q { a: forums(first: 3) { ...Page } b: forums { ...Page pageInfo { ...Info } } } "
        "fragment Info on PageInfo { hasNextPage }"
    )
    written_out = (
        "query Q { a: forums(first: 3) { edges { node { title: name kind: __typename } } }"
        " b: forums { edges { node { title: name kind: __typename } } pageInfo { hasNextPage } } }"
    )
    assert measures(spread) == measures(written_out)
    assert measures(spread)["Q"] == Measure(depth=3, aliases=6, cost=1 + 3 * 4 + 1 + 20 * 6)


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        ("{ forums(first: 5) { edges { node { name } } } }", 1 + 5 * 3),
        ("{ forums { edges { node { name } } } }", 1 + 20 * 3),  # the schema's default
        ("query($n: Int!) { forums(first: $n) { edges { node { name } } } }", 1 + 100 * 3),
        ("{ forums(first: 100000) { edges { cursor } } }", 1 + 100 * 2),  # refused when run
        ("{ forums(first: -1) { edges { cursor } } }", 1),
        (
            "query($g: UUID!) { workingGroup(uuid: $g) { decisions(first: 10) { edges { node {"
            " positions { edges { cursor } } } } } } }",
            1 + (1 + 10 * (1 + (1 + (1 + 20 * 2)))),
        ),
        ("{ __schema { types { fields { name } } } }", 4),
    ],
)
def test_cost_weighs_each_page_through_the_nesting(document: str, cost: int) -> None:
    (measure,) = measures(document).values()
    assert measure.cost == cost


def test_depth_leaves_introspection_out_as_strawberry_did() -> None:
    assert measures("{ __schema { types { fields { type { name } } } } }")[""].depth == 0
    assert measures("{ forums { __typename } }")[""].depth == 1


@pytest.mark.parametrize("levels", [20, 39, 250])
def test_spreads_doubling_at_every_level_are_refused_for_their_cost_at_once(
    levels: int,
) -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig())
    started = time.process_time()
    (message,) = messages(checks, doubling_spreads(levels))
    assert time.process_time() - started < 0.05
    assert "exceeds maximum operation cost of 20000" in message
    assert (f"its cost is {2**levels} " if levels < 40 else "its cost is over 10") in message


def test_every_operation_is_measured_even_one_whose_name_comes_again() -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig())
    document = doubling_spreads(39).replace("query {", "query A {") + " query A { __typename }"
    (message,) = messages(checks, document)
    assert message.startswith("'A' exceeds maximum operation cost of 20000")


@pytest.mark.parametrize("name", HOSTILE)
def test_no_document_within_the_token_limit_takes_long_to_check(name: str) -> None:
    # The least of three runs: what the work takes, without the machine's other load.
    took = []
    for _ in range(3):
        checks = DocumentChecks(SCHEMA, PRODUCTION)
        started = time.process_time()
        checks.check(HOSTILE[name])
        took.append(time.process_time() - started)
    assert min(took) < 0.1, f"{name}: {min(took):.3f} s"


def test_a_fragment_cycle_is_refused_not_followed() -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig())
    assert messages(checks, HOSTILE["a fragment cycle"]) == [
        "Cannot spread fragment 'A' within itself."
    ]
    assert messages(checks, "fragment A on Query { a: __typename ...A } { ...A }") == [
        "Cannot spread fragment 'A' within itself."
    ]


def test_a_chain_of_fragments_past_the_recursion_limit_is_measured() -> None:
    chain = " ".join(f"fragment G{i} on Query {{ ...G{i + 1} }}" for i in range(5000))
    document = chain + " fragment G5000 on Query { forums { __typename } } { ...G0 }"
    assert measures(document)[""] == Measure(depth=1, aliases=0, cost=1 + 20)


def test_the_measuring_stops_at_its_budget() -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig(), budget=50)
    assert messages(checks, "{ " + "__typename " * 50 + "}") == []
    assert messages(checks, "{ " + "__typename " * 60 + "}") == [
        "the document is too large to check: it has more than 50 selections to visit"
    ]


def test_depth_aliases_and_cost_are_refused_naming_limit_and_measure() -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig(max_depth=2, max_aliases=1, max_cost=100))
    assert messages(checks, "query Deep { forums { edges { node { name } } } }") == [
        "'Deep' exceeds maximum operation depth of 2: its fields nest 3 deep"
    ]
    assert messages(checks, "{ a: __typename b: __typename }") == ["2 aliases found. Allowed: 1"]
    (costly,) = messages(checks, "{ forums(first: 50) { edges { cursor } } }")
    assert costly.startswith("'anonymous' exceeds maximum operation cost of 100: its cost is 101")


def test_too_much_merging_is_refused_saying_why() -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig())
    assert messages(checks, HOSTILE["one field with a selection 350 times"]) == [
        "the document is too costly to validate: merging its fields of the same name"
        f" takes more than {MERGE_BUDGET} comparisons"
    ]


def test_a_document_is_checked_once_refused_or_not() -> None:
    checks = DocumentChecks(SCHEMA, GraphQLConfig())
    for document in (doubling_spreads(39), "{ __typename }", "{ nothing", "{ nothing }"):
        assert checks.check(document) is checks.check(document)


def test_production_suggests_no_names() -> None:
    development = DocumentChecks(SCHEMA, GraphQLConfig())
    production = DocumentChecks(SCHEMA, PRODUCTION)
    for document in (
        "{ forumz { name } }",
        "{ forums(frist: 2) { edges { cursor } } }",
        "query($k: MemberKnd) { organisations(kind: $k) { edges { cursor } } }",
        "{ decisions(where: {statu: []}) { edges { cursor } } }",
    ):
        assert "Did you mean" in " ".join(messages(development, document)), document
        shown = messages(production, document)
        assert shown, document
        assert "Did you mean" not in " ".join(shown), document
