"""Refusals a form can use: one convention for every error code, and an invalid input
that names the input field as the client wrote it.

A refused command's `code` was written in snake_case (`rule_violation`) where request
errors' codes were SCREAMING_SNAKE_CASE (`UNAUTHENTICATED`); an `InvalidInput` named no
field, and its message named the domain's argument (`starts_at must include a time
zone`), which is not what the client sent (`startsAt`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import graphql
import pytest

from coordination.domain import errors as domain
from coordination.graphql.errors import from_domain, input_field
from coordination.graphql.schema import build_schema, schema_sdl
from tests.graphql.cases import ALLOWED, CASES
from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario
from tests.graphql.test_fuzzing import odd_values_for

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = graphql.build_schema(schema_sdl())
SCREAMING = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
#: A documented code: a row of the code table in docs/graphql.md.
DOCUMENTED = re.compile(r"^\| `([A-Z0-9_]+)` \|", re.MULTILINE)
#: Builds a request error from a message and a code (the code is the second argument).
CODE_SECOND = {"RequestError", "error_document"}


def screaming(type_name: str) -> str:
    """`RuleViolation` as a code: `RULE_VIOLATION`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).upper()


def document(mutation: str) -> str:
    name = mutation[0].upper() + mutation[1:]
    return (
        f"mutation Run($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename"
        " ... on UserError { message code } ... on InvalidInput { field } } }"
    )


def code_nodes(node: ast.AST) -> list[ast.expr]:
    """The expressions that give a request error's code in `node`, if any."""
    if isinstance(node, ast.Dict):
        return [
            v
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and k.value == "code"
        ]
    if isinstance(node, ast.Call) and len(node.args) > 1:
        called = node.func
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        return [node.args[1]] if name in CODE_SECOND else []
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "code" for t in node.targets
    ):
        return [node.value]
    return []


def request_codes() -> set[str]:
    """Every code a request error of the GraphQL endpoint is given, read from the source of
    the endpoint and of the HTTP layer in front of it (the body limit):
    `{"code": ...}` in extensions and refusals, `RequestError(message, code)`,
    `error_document(message, code)` and `code = ...` (names of module constants
    resolved)."""
    found: set[str] = set()
    sources = [
        *(ROOT / "coordination" / "graphql").rglob("*.py"),
        *(ROOT / "coordination" / "http").rglob("*.py"),
    ]
    for path in sources:
        tree = ast.parse(path.read_text())
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            for code in code_nodes(node):
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    found.add(code.value)
                elif isinstance(code, ast.Name) and code.id in constants:
                    found.add(constants[code.id])
    return found


def test_every_refusal_of_a_command_has_the_code_of_its_type() -> None:
    refusals = [t.name for t in SCHEMA.get_possible_types(SCHEMA.get_type("UserError"))]  # type: ignore[arg-type]
    codes = SCHEMA.get_type("UserErrorCode")
    assert isinstance(codes, graphql.GraphQLEnumType)
    assert sorted(codes.values) == sorted(screaming(name) for name in refusals)
    assert len(refusals) == 5
    shown: dict[str, str] = {}
    for error in (
        domain.NotFound("gone"),
        domain.Conflict("changed"),
        domain.RuleViolation("not now"),
        domain.Forbidden("not you"),
        domain.InvalidInput("is wrong", field="starts_at"),
        domain.DomainError("a refusal of no finer kind"),
    ):
        refusal = from_domain(error)
        name = type(refusal).__strawberry_definition__.name  # type: ignore[attr-defined]
        shown[name] = refusal.code.value
    assert shown == {name: screaming(name) for name in refusals}


def test_every_error_code_is_screaming_snake_case_and_documented() -> None:
    requests = request_codes()
    # The scan finds the codes it is meant to find (else the rest proves nothing).
    assert {"UNAUTHENTICATED", "BAD_USER_INPUT", "UNAVAILABLE", "PAYLOAD_TOO_LARGE"} <= requests
    codes = requests | set(SCHEMA.get_type("UserErrorCode").values)  # type: ignore[union-attr]
    assert [code for code in sorted(codes) if not SCREAMING.fullmatch(code)] == []
    table = set(DOCUMENTED.findall((ROOT / "docs" / "graphql.md").read_text()))
    assert sorted(codes - table) == []


def test_one_rule_names_every_input_field_as_the_schema_does() -> None:
    # The domain names a command's arguments as the mutation's input names its fields
    # in Python; `input_field` must give the name the schema shows for each of them.
    schema = build_schema()
    mutation = schema.get_type_by_name("Mutation")
    assert mutation is not None
    checked = 0
    for field in mutation.fields:  # type: ignore[union-attr]
        (argument,) = field.arguments
        inputs = [argument.type]
        while inputs:
            definition = inputs.pop().__strawberry_definition__
            for member in definition.fields:
                shown = schema.config.name_converter.get_graphql_name(member)
                assert input_field(member.python_name) == shown, (definition.name, member)
                checked += 1
                inner = getattr(member.type, "of_type", None)
                if hasattr(inner, "__strawberry_definition__"):
                    inputs.append(inner)
    assert checked > 200


async def refusal(gql: Gql, scn: Scenario, mutation: str, **changes: Any) -> dict[str, Any]:
    kind, prepare = CASES[mutation]
    role = ALLOWED[kind][0]
    prepared = prepare(scn, scn.principal(role))
    variables = {"input": prepared.input | changes}
    data = await gql.data(document(mutation), variables, scn.principal(role, prepared.group))
    answer: dict[str, Any] = data[mutation]
    return answer


async def test_a_time_without_a_zone_is_refused_naming_the_field_as_the_client_wrote_it(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    refused = await refusal(
        gql_without_views, scenario, "planWorkshop", startsAt="2027-03-01T09:00"
    )
    assert refused == {
        "__typename": "InvalidInput",
        "code": "INVALID_INPUT",
        "field": "startsAt",
        "message": "startsAt must include a time zone",
    }


PERSON = "7d4b8e1c-1f0a-4c55-9a47-6f3b1f0b9f11"


def attending_twice(scn: Scenario) -> dict[str, Any]:
    return {"attendees": [{"personId": PERSON, "organisationId": str(scn.orgs["A"])}] * 2}


@pytest.mark.parametrize(
    ("mutation", "changes", "field", "problem"),
    [
        ("setAgenda", lambda _: {"items": ["Welcome", "  "]}, "items[1]", "must not be empty"),
        (
            "recordAttendance",
            attending_twice,
            "attendees[1].personId",
            f"names person {PERSON}, who is listed already",
        ),
        (
            "admitMember",
            lambda _: {"idempotencyKey": "k" * 201},
            "idempotencyKey",
            "has at most 200",
        ),
        (
            "callDecision",
            lambda _: {"quorumPercent": 101},
            "quorumPercent",
            "must be a whole number",
        ),
        ("reviseCharter", lambda _: {"decides": " "}, "decides", "must not be empty"),
        ("assignAction", lambda _: {"dueOn": "2001-01-01"}, "dueOn", "2001-01-01 is before"),
    ],
)
async def test_a_nested_or_renamed_field_is_named_as_the_client_wrote_it(
    scenario: Scenario,
    gql_without_views: Gql,
    mutation: str,
    changes: Callable[[Scenario], dict[str, Any]],
    field: str,
    problem: str,
) -> None:
    refused = await refusal(gql_without_views, scenario, mutation, **changes(scenario))
    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "InvalidInput",
        "INVALID_INPUT",
        field,
    )
    assert refused["message"].startswith(f"{field} {problem}"), refused


def input_field_of(input_type: str, path: str) -> bool:
    """Whether `path` (`attendees[0].personId`) names a field of the input type."""
    kind: Any = SCHEMA.get_type(input_type)
    for name in re.sub(r"\[\d+\]", "", path).split("."):
        if not isinstance(kind, graphql.GraphQLInputObjectType) or name not in kind.fields:
            return False
        kind = graphql.get_named_type(kind.fields[name].type)
    return True


async def test_every_invalid_input_names_a_field_of_its_mutations_input(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    # Each command that succeeds, one field at a time at the edges of what it takes (as
    # the fuzzing test sends them): an input refused as invalid names one of its own
    # fields, and a text refused for what it holds names that very field.
    gql, named, own = gql_without_views, 0, 0
    for mutation in sorted(CASES):
        kind, prepare = CASES[mutation]
        role = ALLOWED[kind][0]
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        template = prepare(scenario, scenario.principal(role)).input
        for changed in sorted(template):
            for value in odd_values_for(template[changed]):
                prepared = prepare(scenario, scenario.principal(role))
                prepared.input[changed] = value
                who = scenario.principal(role, prepared.group)
                result = await gql.run(document(mutation), {"input": prepared.input}, who)
                answer = (result.data or {}).get(mutation) or {}
                said = f"{mutation}.{changed}={value!r:.40}: {answer}"
                if answer.get("__typename") != "InvalidInput":
                    continue
                field = answer["field"]
                assert answer["code"] == "INVALID_INPUT", said
                assert input_field_of(input_type, field), said
                assert answer["message"].startswith(f"{field} "), said
                named += 1
                if isinstance(value, str) and ("\x00" in value or len(value) > 20_000):
                    assert field == changed, said
                    own += 1
    assert named > 50, named
    assert own > 30, own


async def test_a_refused_command_says_its_code_in_screaming_snake_case(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    refused = await refusal(
        gql_without_views, scenario, "admitMember", name="Organisation A", kind="COMPANY"
    )
    assert (refused["__typename"], refused["code"]) == ("RuleViolation", "RULE_VIOLATION")
    missing = await refusal(gql_without_views, scenario, "reportProgress", actionId=str(uuid4()))
    assert (missing["__typename"], missing["code"]) == ("NotFound", "NOT_FOUND")
