"""A field refused to the caller is null, with its error on its own path; the object it
sits in, and the other fields asked beside it, still come through.

A non-null field whose resolver refused (`partnership { name workingGroups { … } }` asked
anonymously) nulled its parent as GraphQL requires, and so on up to the first nullable
field: the partnership's public name was lost with the groups it may not read, and a
refused root field nulled the whole answer. Every field of every object a caller reaches
is asked here, one at a time beside `__typename`, by callers who are refused something:
nobody, a representative whose mandate ended, one whose organisation is not in the
group, and a representative asking what only the secretariat and auditors read.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import graphql
import pytest

from coordination.auth.principal import ANONYMOUS, Principal, Role
from coordination.bootstrap import System
from coordination.graphql.relay import global_id
from coordination.graphql.schema import schema_sdl
from coordination.projections import Projections
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario
from tests.graphql.test_read_standing import former_representative

SCHEMA = graphql.build_schema(schema_sdl())
#: Arguments given beyond the required ones, to reach a refusal only they lead to.
REFUSABLE_WITH = {("Query", "forums"): "kind: WORKING_GROUP"}


def named(kind: graphql.GraphQLType) -> Any:
    return graphql.get_named_type(kind)


def selection(field: graphql.GraphQLField) -> str:
    return "" if graphql.is_leaf_type(named(field.type)) else "{ __typename }"


def arguments(owner: str, name: str, field: graphql.GraphQLField, values: dict[str, str]) -> str:
    """The field's required arguments, each from `values` by its name, and those
    `REFUSABLE_WITH` names."""
    given = [REFUSABLE_WITH[(owner, name)]] if (owner, name) in REFUSABLE_WITH else []
    for argument, definition in sorted(field.args.items()):
        written = definition.ast_node  # a default is kept as written in the document
        if graphql.is_non_null_type(definition.type) and (
            written is None or written.default_value is None
        ):
            assert argument in values, f"{owner}.{name} needs a value for `{argument}`"
            given.append(f"{argument}: {values[argument]}")
    return f"({', '.join(given)})" if given else ""


@pytest.fixture
async def reached(scenario: Scenario, system: System, projections: Projections) -> dict[str, str]:
    """The objects asked about: the root field and arguments that reach each."""
    scn = scenario
    decision = scn.called_decision(scn.group)
    scn.app.take_position(scn.of("A"), decision, position="agree")
    action, workshop = scn.fresh_action(scn.group), scn.fresh_workshop(scn.group)
    await caught_up(system, projections)

    def uuid(value: UUID) -> str:
        return f'"{value}"'

    return {
        "partnership": f"partnership(uuid: {uuid(scn.partnership)})",
        "organisation": f"organisation(uuid: {uuid(scn.orgs['A'])})",
        "workingGroup": f"workingGroup(uuid: {uuid(scn.group)})",
        "decision": f"decision(uuid: {uuid(decision)})",
        "action": f"action(uuid: {uuid(action)})",
        "workshop": f"workshop(uuid: {uuid(workshop)})",
        "node": f'node(id: "{global_id("WorkingGroup", scn.group)}")',
    }


def root_values(scn: Scenario) -> dict[str, str]:
    return {
        "uuid": f'"{scn.partnership}"',
        "id": f'"{global_id("Partnership", scn.partnership)}"',
        "streamId": f'"{scn.partnership}"',
        "eventId": f'"{uuid4()}"',
        "organisationId": f'"{scn.orgs["A"]}"',
        "subjectId": f'"{uuid4()}"',
        "cohortId": f'"{uuid4()}"',
        "surveyId": f'"{uuid4()}"',
    }


def callers(scn: Scenario) -> dict[str, Principal]:
    former = former_representative(scn, "B")
    return {
        "anonymous": ANONYMOUS,
        "former representative": Principal(Role.REPRESENTATIVE, former, org=scn.orgs["B"]),
        "representative outside the group": scn.principal("representative_other"),
        "representative": scn.principal("representative"),
    }


async def test_a_refused_field_leaves_its_parent_and_its_siblings(
    scenario: Scenario, gql: Gql, system: System, projections: Projections, reached: dict[str, str]
) -> None:
    who_all = callers(scenario)
    await caught_up(system, projections)
    query = SCHEMA.query_type
    assert query is not None
    refused: set[str] = set()
    for caller, who in who_all.items():
        # The root: every field beside `__typename`; the answer's data is never null.
        for name, field in sorted(query.fields.items()):
            args = arguments("Query", name, field, root_values(scenario))
            document = f"{{ __typename {name}{args} {selection(field)} }}"
            result = await gql.run(document, principal=who)
            said = f"{caller}: {document}: {result.errors}"
            assert result.data is not None, said
            assert result.data["__typename"] == "Query", said
            for error in result.errors or []:
                assert error.path is not None, said
                assert error.path[0] == name, said
                refused.add(f"Query.{name}")
        # Every object the caller reaches: every field beside `__typename`.
        for entry, reach in reached.items():
            shown = await gql.run(f"{{ {reach} {{ __typename }} }}", principal=who)
            if shown.errors or (shown.data or {}).get(entry) is None:
                continue  # not shown to this caller at all
            kind = shown.data[entry]["__typename"]  # type: ignore[index]
            owner = SCHEMA.get_type(kind)
            assert isinstance(owner, graphql.GraphQLObjectType)
            for name, field in sorted(owner.fields.items()):
                args = arguments(kind, name, field, {})
                inner = f"... on {kind} {{ {name}{args} {selection(field)} }}"
                document = f"{{ {reach} {{ __typename {inner} }} }}"
                result = await gql.run(document, principal=who)
                said = f"{caller}: {document}: {result.errors}"
                assert result.data is not None, said
                assert result.data[entry] is not None, said
                assert result.data[entry]["__typename"] == kind, said
                for error in result.errors or []:
                    assert error.path is not None, said
                    assert list(error.path[:2]) == [entry, name], said
                    refused.add(f"{kind}.{name}")
    # The refusals this test is about were met (else it proves nothing).
    assert {
        "Query.auditTrail",
        "Query.decisions",
        "Query.forums",
        "Query.checkpoint",
        "Partnership.workingGroups",
        "Partnership.decisions",
        "WorkingGroup.members",
        "WorkingGroup.decisions",
        "WorkingGroup.actions",
    } <= refused, refused


async def test_an_anonymous_caller_gets_the_partnership_without_its_working_groups(
    scenario: Scenario, gql: Gql, system: System, projections: Projections
) -> None:
    await caught_up(system, projections)
    result = await gql.run(
        "query($p: UUID!) { partnership(uuid: $p) { name"
        " workingGroups { edges { node { name } } } organisations { edges { node { name } } } } }",
        {"p": str(scenario.partnership)},
    )
    assert result.data == {
        "partnership": {
            "name": "Development partnership for the social economy",
            "workingGroups": None,
            "organisations": {
                "edges": [{"node": {"name": f"Organisation {label}"}} for label in "ABC"]
            },
        }
    }
    (error,) = result.errors or []
    assert error.path == ["partnership", "workingGroups"]
    assert (error.extensions or {})["code"] == "UNAUTHENTICATED"
