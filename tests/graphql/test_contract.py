"""Contracts: the committed schema, one mutation per command, enums that match the domain."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import graphql

from coordination.application import Coordination
from coordination.auth.authorization.matrix import MATRIX
from coordination.domain import decision_rules, values, workshop_parts
from coordination.domain.action import ActionStatus
from coordination.graphql import enums
from coordination.graphql.schema import build_schema, schema_sdl

ROOT = Path(__file__).resolve().parents[2]
#: Read-only helpers of the application, not commands.
NOT_COMMANDS = {
    "partnership",
    "working_group",
    "action",
    "decision",
    "workshop",
    "programme",
    "cohort",
    # Recorded by the node's own sync, never asked for by a caller (decision 45).
    "witness_peer_checkpoint",
    "record_peer_history_conflict",
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_the_committed_schema_is_the_schema() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema_sdl(), (
        "schema.graphql is out of date: regenerate it with "
        "`python -c 'from coordination.graphql.schema import schema_sdl;"
        ' print(schema_sdl(), end="")\' > schema.graphql`'
    )


def test_one_mutation_per_command_and_one_rule_per_mutation() -> None:
    commands = {
        camel(name)
        for name, member in inspect.getmembers(Coordination, inspect.isfunction)
        if not name.startswith("_")
        and name not in NOT_COMMANDS
        and "ctx" in inspect.signature(member).parameters
    }
    mutation_type = graphql.build_schema(schema_sdl()).mutation_type
    assert mutation_type is not None
    assert commands == set(MATRIX) == set(mutation_type.fields)


#: The API's own vocabularies, which neither the domain nor a view has.
API_ENUMS = {"UserErrorCode", "TimeBasis"}
#: Where every other vocabulary is declared.
OWNERS = (
    "coordination.domain.",
    "coordination.projections.views.",
    "coordination.audit.",
    "coordination.federation.",  # how syncing a peer goes
)


def test_the_schemas_enums_are_the_domains_and_the_views_own() -> None:
    """Each vocabulary is declared once: an enum of the schema is the domain's class (or,
    for what only a view or the signed log says, theirs), exposed, never a copy declared
    in graphql."""
    exposed = {}
    for kind in build_schema()._schema.type_map.values():
        if isinstance(kind, graphql.GraphQLEnumType) and not kind.name.startswith("__"):
            exposed[kind.name] = kind.wrapped_cls
    for name, vocabulary in exposed.items():
        owner = vocabulary.__module__
        if name in API_ENUMS:
            assert owner.startswith("coordination.graphql."), name
        else:
            assert owner.startswith(OWNERS), (name, owner)
    assert set(exposed) - API_ENUMS == {name for _, name, _ in enums.EXPOSED}
    assert exposed["PositionKind"] is decision_rules.Position
    assert exposed["MemberKind"] is values.MemberKind
    assert exposed["MinutesStatus"] is workshop_parts.MinutesStatus
    assert exposed["ActionStatus"] is ActionStatus


def test_decision_statuses_cover_the_domain_and_the_views() -> None:
    domain = {m.value for m in decision_rules.DecisionStatus}
    assert domain | {"deferred"} == {m.value for m in enums.DecisionStatus}


#: A README request: `gql "$TOKEN" 'QUERY'` (the shell function the README defines).
README_REQUEST = re.compile(r"""gql "\$(\w+)" '([^']*)'""")


def test_the_readmes_requests_are_valid_for_the_committed_schema() -> None:
    readme = (ROOT / "README.md").read_text()
    requests = README_REQUEST.findall(readme)
    assert len(requests) >= 4  # three queries and a mutation
    schema = graphql.build_schema((ROOT / "schema.graphql").read_text())
    for token, query in requests:
        assert graphql.validate(schema, graphql.parse(query)) == [], (token, query)
    # A multi-line query pasted into `curl -d '{"query": "..."}'` is not JSON (a raw line
    # break inside a string), and the API refuses it: the README's bodies go through jq.
    assert "-d '{" not in readme
