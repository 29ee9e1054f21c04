"""Whether an answer may be kept: declared beside each root field of `Query`.

A query's answer may be kept per position of the views (the result cache, decision 9)
only when every root field it asks reads the views alone: the views change only when
the projector commits, and each commit moves their position. A field that reads
anything else (the event store: the audit trail, past states; the signed log) is
answered afresh every time. Each root field says which it is, where it is defined:

    @strawberry.field(description="One action by its plain id.", metadata=READS_VIEWS)

The schema refuses to be built while a root field of `Query` says neither
(`query_cacheability`), so a new field cannot be kept, or left out, by accident.
Mutations and subscriptions are never kept, whatever their fields: their operation's
type decides, so their fields declare nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode, OperationType

#: The key of a field's `metadata` that holds its `Cacheability`.
KEY = "coordination.cacheability"

#: What strawberry keeps a field's definition under, in graphql-core's field.
_DEFINITION = "strawberry-definition"


class Cacheability(Enum):
    """What a root field's answer depends on."""

    #: The views alone (and the caller's rights and the day): kept per views position.
    VIEWS = "views"
    #: Something besides the views (the event store, the signed log): never kept.
    LIVE = "live"


#: `metadata` of a root field whose answer comes from the views alone.
READS_VIEWS: Mapping[str, Cacheability] = MappingProxyType({KEY: Cacheability.VIEWS})
#: `metadata` of a root field that reads anything else.
READS_LIVE: Mapping[str, Cacheability] = MappingProxyType({KEY: Cacheability.LIVE})


class UnclassifiedField(TypeError):
    """A root field of `Query` that declares no `Cacheability`."""


def declared(schema: GraphQLSchema) -> dict[str, Cacheability | None]:
    """Each root field of `Query` by its GraphQL name, with what it declares (None:
    nothing)."""
    query = schema.query_type
    fields = query.fields if query is not None else {}
    found: dict[str, Cacheability | None] = {}
    for name, field in fields.items():
        definition = (field.extensions or {}).get(_DEFINITION)
        metadata = getattr(definition, "metadata", None) or {}
        value = metadata.get(KEY)
        found[name] = value if isinstance(value, Cacheability) else None
    return found


def query_cacheability(schema: GraphQLSchema) -> dict[str, Cacheability]:
    """Each root field of `Query` (and `__typename`, the type's own name) with its
    cacheability.

    Raises:
        UnclassifiedField: naming the root fields that declare none.
    """
    found = declared(schema)
    missing = sorted(name for name, value in found.items() if value is None)
    if missing:
        raise UnclassifiedField(
            f"root fields of Query declare no cacheability: {', '.join(missing)}; give each"
            " `metadata=READS_VIEWS` (its answer comes from the views alone) or"
            " `metadata=READS_LIVE` (coordination.graphql.cacheability)"
        )
    classified = {name: value for name, value in found.items() if value is not None}
    return {**classified, "__typename": Cacheability.VIEWS}


def of_operation(
    document: DocumentNode, operation_name: str | None, fields: Mapping[str, Cacheability]
) -> Cacheability:
    """VIEWS when the operation is a query whose root fields all read the views (a
    fragment at the root, or an operation that cannot be picked, is LIVE)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return Cacheability.LIVE
    for selection in operations[0].selection_set.selections:
        if not isinstance(selection, FieldNode):
            return Cacheability.LIVE
        if fields.get(selection.name.value) is not Cacheability.VIEWS:
            return Cacheability.LIVE
    return Cacheability.VIEWS
