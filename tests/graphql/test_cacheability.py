"""Every root field of `Query` declares whether its answer may be kept (decision 31), and
a schema with one that does not is refused, naming it."""

from __future__ import annotations

import pytest
import strawberry
from graphql import parse

from coordination.graphql.cacheability import (
    READS_LIVE,
    READS_VIEWS,
    Cacheability,
    UnclassifiedField,
    declared,
    of_operation,
)
from coordination.graphql.context import GraphQLConfig
from coordination.graphql.schema import CoordinationSchema, build_schema

SCHEMA = build_schema()
TWO = "query A { themes { edges { cursor } } } query B { auditTrail { edges { cursor } } }"

#: The root fields that read something besides the views.
LIVE = {
    "auditTrail",
    "streamState",
    "inclusionProof",
    "checkpoint",
    "exportSubject",
    "integrity",
    "cohortParticipants",
    "jointGroups",
    "jointGroup",
    "cohortFeedback",
    "partners",
}


def test_every_root_field_of_query_declares_its_cacheability() -> None:
    found = declared(SCHEMA._schema)
    assert found, "the walk saw the fields"
    assert [name for name, value in found.items() if value is None] == []
    assert {name for name, value in found.items() if value is Cacheability.LIVE} == LIVE
    assert SCHEMA.cacheability == {**found, "__typename": Cacheability.VIEWS}


def test_a_schema_with_an_unclassified_root_field_is_refused() -> None:
    @strawberry.type
    class Query:
        @strawberry.field(metadata=READS_VIEWS)
        def kept(self) -> int:
            return 1

        @strawberry.field(metadata=READS_LIVE)
        def fresh(self) -> int:
            return 2

        @strawberry.field
        def forgotten(self) -> int:
            return 3

    with pytest.raises(UnclassifiedField, match=r"declare no cacheability: forgotten;"):
        CoordinationSchema(query=Query, config=GraphQLConfig())


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ("{ forums { edges { cursor } } decisions { edges { cursor } } }", None, "VIEWS"),
        ("{ __typename forums { edges { cursor } } }", None, "VIEWS"),
        ("{ forums { edges { cursor } } checkpoint { size } }", None, "LIVE"),
        ("{ ... on Query { forums { edges { cursor } } } }", None, "LIVE"),
        (TWO, "A", "VIEWS"),
        (TWO, "B", "LIVE"),
        (TWO, None, "LIVE"),
        ("mutation { __typename }", None, "LIVE"),
    ],
)  # fmt: skip
def test_an_operation_may_be_kept_when_every_root_field_reads_the_views(
    query: str, name: str | None, expected: str
) -> None:
    assert of_operation(parse(query), name, SCHEMA.cacheability) is Cacheability[expected]
