"""What running a document would take, measured in time linear in the document's size.

A fragment may be spread many times, and fragments may spread one another: forty of
them, each spreading the one before twice (`fragment F1 on Query { ...F0 ...F0 }`),
stand for 2^39 copies of the first. strawberry's depth and alias limits walked every
spread again, so their work doubled with each level, and such a document of 400 tokens
held the event loop for good. Here every fragment is measured once, after the fragments
it spreads, and a spread adds the measure of its fragment: the numbers are those of the
document with every spread written out, the work that of the document as sent.

Each operation gets three numbers:

- its **depth**, as strawberry's `QueryDepthLimiter` counts it: how deep its fields
  nest, introspection fields (`__schema`, `__type`, `__typename`) not counted;
- its **aliases**, as strawberry's `MaxAliasesLimiter` counts them (every spread of a
  fragment counts the fragment's aliases again);
- its **cost**: every field counts 1, times the page sizes of the connections it sits
  in. A connection's page is its `first` argument given as a number (0 to `MAX_PAGE`),
  the argument's default when it is left out, and `MAX_PAGE` when a variable gives it
  (the document is measured once, whatever the variables).

The walk is bounded as a whole: each selection it visits spends one unit of a budget,
and a document that needs more is refused (`TooMuchWork`), whatever it would measure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from coordination.graphql.relay import MAX_PAGE

#: Where aliases and cost stop counting: past it the exact number changes nothing, and
#: a document of a few thousand tokens could otherwise reach numbers hundreds of digits
#: long.
SATURATED = 10**15


@dataclass(frozen=True)
class Measure:
    """The depth, aliases and cost of a selection set (see the module)."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


NOTHING = Measure()


class TooMuchWork(Exception):
    """The document has more selections than the budget lets the walk visit."""


class FragmentCycle(Exception):
    """A fragment spreads itself, directly or through others: it has no finite measure."""

    def __init__(self, fragment: str) -> None:
        super().__init__(fragment)
        self.fragment = fragment


def measure_operations(
    schema: GraphQLSchema, document: DocumentNode, budget: int
) -> list[tuple[OperationDefinitionNode, Measure]]:
    """Each operation of `document` with its measure.

    Fragments spread but not defined count nothing, and fields the schema lacks count as
    fields outside any connection: validation refuses such documents afterwards.

    Raises:
        TooMuchWork: The walk would visit more than `budget` selections.
        FragmentCycle: A fragment spreads itself.
    """
    return _Walk(schema, document, budget).operations()


class _Walk:
    """One measuring of one document; every selection visited spends the budget."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, budget: int) -> None:
        self.schema, self.left = schema, budget
        definitions = document.definitions
        self.fragments = {
            d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operation_nodes = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        self.measured: dict[str, Measure] = {}

    def operations(self) -> list[tuple[OperationDefinitionNode, Measure]]:
        for name in self._spread_first():
            fragment = self.fragments[name]
            kind = self.schema.get_type(fragment.type_condition.name.value)
            self.measured[name] = self._selections(fragment.selection_set, kind)
        return [
            (node, self._selections(node.selection_set, self.schema.get_root_type(node.operation)))
            for node in self.operation_nodes
        ]

    def _spread_first(self) -> list[str]:
        """The fragments, each after every fragment it spreads (a depth-first walk kept
        on a list of its own: a chain of a few hundred fragments would go past Python's
        recursion limit)."""
        spreads = {
            name: list(dict.fromkeys(self._spreads(f.selection_set)))
            for name, f in self.fragments.items()
        }
        order: list[str] = []
        done: set[str] = set()
        on_path: set[str] = set()
        for start, its_spreads in spreads.items():
            if start in done:
                continue
            on_path.add(start)
            path = [(start, iter(its_spreads))]
            while path:
                name, pending = path[-1]
                for spread in pending:
                    if spread in on_path:
                        raise FragmentCycle(spread)
                    if spread in spreads and spread not in done:
                        on_path.add(spread)
                        path.append((spread, iter(spreads[spread])))
                        break
                else:
                    path.pop()
                    on_path.discard(name)
                    done.add(name)
                    order.append(name)
        return order

    def _spreads(self, selection_set: SelectionSetNode) -> Iterator[str]:
        """The names of the fragments `selection_set` spreads, at any nesting."""
        for selection in selection_set.selections:
            self._spend()
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                yield from self._spreads(selection.selection_set)

    def _selections(
        self, selection_set: SelectionSetNode, kind: GraphQLNamedType | None
    ) -> Measure:
        depth = aliases = cost = 0
        for selection in selection_set.selections:
            self._spend()
            if isinstance(selection, FieldNode):
                measure = self._field(selection, kind)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else kind
                measure = self._selections(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                measure = self.measured.get(selection.name.value, NOTHING)
            else:
                continue  # graphql-core's parser makes no other selection
            depth = max(depth, measure.depth)
            aliases = min(aliases + measure.aliases, SATURATED)
            cost = min(cost + measure.cost, SATURATED)
        return Measure(depth, aliases, cost)

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        own_alias = 1 if node.alias else 0
        if node.selection_set is None:
            return Measure(0, own_alias, 1)
        definition = _definition(parent, node.name.value)
        kind = get_named_type(definition.type) if definition is not None else None
        inner = self._selections(node.selection_set, kind)
        # strawberry's depth limit leaves introspection out, and so does this one.
        depth = 0 if node.name.value.startswith("__") else 1 + inner.depth
        cost = min(1 + page_size(node, definition) * inner.cost, SATURATED)
        return Measure(depth, min(own_alias + inner.aliases, SATURATED), cost)

    def _spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TooMuchWork


def _definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def page_size(node: FieldNode, definition: GraphQLField | None) -> int:
    """How many items each field below `node` counts for: 1 outside a connection (a
    field without a `first` argument), else the page it asks for (see the module)."""
    if definition is None or "first" not in definition.args:
        return 1
    given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
    if given is None:
        default = definition.args["first"].default_value
        return _within_page(default) if isinstance(default, int) else MAX_PAGE
    if isinstance(given, IntValueNode) and len(given.value) <= len(str(MAX_PAGE)):
        return _within_page(int(given.value))
    return MAX_PAGE  # a variable, a long number, or a value validation will refuse


def _within_page(first: int) -> int:
    return min(max(first, 0), MAX_PAGE)
