"""`DocumentChecks`: every check a document passes before it runs, in one place.

Both ways an operation runs (strawberry's, and `DirectExecution`) and the WebSocket ask
this one object, so that a document is held to the same checks whichever way it comes,
and each distinct document is checked once while it stays in an LRU (a refused one too:
refusing it again costs a lookup). In order:

1. parse, within the token limit (graphql-core stops at the limit);
2. our limits, measured in time linear in the document (`document_measures`): no
   fragment spreading itself, then depth and cost per operation and aliases per
   document; the measuring is bounded by a budget of selections visited;
3. only then graphql-core's validation (its rules, strawberry's two, and in production
   no introspection), whose one rule of more than linear work, the merging of fields of
   the same name (`OverlappingFieldsCanBeMergedRule`), is held to a smaller budget
   than graphql-core's own (graphql-core's documented setting), so that validating any
   document within the limits takes milliseconds.

In production no error says "Did you mean …?": the suggestions would show the schema
that introspection hides (graphql-core's `hide_suggestions`; `QuietExecutor` does the
same for the errors of execution, such as a variable's value that does not fit).
Why these limits and numbers: docs/decisions/0021-graphql-document-cost.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    parse,
    specified_rules,
    validate,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from coordination.graphql.context import GraphQLConfig
from coordination.graphql.document_measures import (
    SATURATED,
    FragmentCycle,
    Measure,
    TooMuchWork,
    measure_operations,
)

#: Distinct documents whose checks are kept (clients send few distinct ones).
DOCUMENT_CACHE_SIZE = 256

#: Selections the measuring may visit. A document within the token limit (3000) has
#: fewer than 3000 selections, and each is visited twice at most.
MEASURE_BUDGET = 10_000

#: The work graphql-core may spend merging fields of the same name (its default,
#: 500 000, let documents within our other limits hold the event loop: decision 21;
#: realistic documents spend under a thousand).
MERGE_BUDGET = 10_000

overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = MERGE_BUDGET

#: How a cost is measured, for the message that refuses one.
COST_RULE = (
    "each field counts once per item of every page it sits in; a page counts its"
    " `first`, the default when it is left out, 100 when a variable gives it"
)


@dataclass(frozen=True)
class Checked:
    """A document as checked: its parse (None when it did not parse) and the errors
    that refuse it (none: it may run)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]


class DocumentChecks:
    """Parses and checks documents for a schema, each distinct one once (see the module).

    Args:
        schema: The graphql-core schema documents are validated against.
        config: The limits (tokens, depth, aliases, cost) and whether this is production.
        size: Distinct documents whose checks are kept.
        budget: Selections the measuring of one document may visit.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        config: GraphQLConfig,
        size: int = DOCUMENT_CACHE_SIZE,
        budget: int = MEASURE_BUDGET,
    ) -> None:
        self.schema, self.config, self.budget = schema, config, budget
        rules: list[type[ASTValidationRule]] = [
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        ]
        if config.production:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self._checked = lru_cache(maxsize=size)(self._check)

    def check(self, query: str) -> Checked:
        """`query` parsed and checked, once while it stays in the LRU."""
        return self._checked(query)

    def _check(self, query: str) -> Checked:
        try:
            document = parse(query, max_tokens=self.config.max_tokens)
        except GraphQLError as error:
            return Checked(None, (error,))
        refused = self.over_limits(document)
        if refused:
            return Checked(document, tuple(refused))
        hide = self.config.production
        errors = validate(self.schema, document, self.rules, hide_suggestions=hide)
        return Checked(document, tuple(_said_plainly(error) for error in errors))

    def over_limits(self, document: DocumentNode) -> list[GraphQLError]:
        """The errors of the limits `document` goes past (see the module), coded."""
        try:
            measures = measure_operations(self.schema, document, self.budget)
        except TooMuchWork:
            return [
                _refusal(
                    f"the document is too large to check: it has more than {self.budget}"
                    " selections to visit",
                )
            ]
        except FragmentCycle as cycle:
            return [_refusal(f"Cannot spread fragment '{cycle.fragment}' within itself.")]
        errors = [error for node, measure in measures for error in self._refusals(node, measure)]
        aliases = min(sum(measure.aliases for _, measure in measures), SATURATED)
        if aliases > self.config.max_aliases:
            errors.append(
                _refusal(f"{_number(aliases)} aliases found. Allowed: {self.config.max_aliases}")
            )
        return errors

    def _refusals(self, node: OperationDefinitionNode, measure: Measure) -> list[GraphQLError]:
        """Why the operation `node`, of `measure`, may not run (depth, cost)."""
        name = node.name.value if node.name else "anonymous"  # as strawberry's limits said
        config, errors = self.config, []
        if measure.depth > config.max_depth:
            errors.append(
                _refusal(
                    f"'{name}' exceeds maximum operation depth of {config.max_depth}:"
                    f" its fields nest {measure.depth} deep",
                    node,
                )
            )
        if measure.cost > config.max_cost:
            errors.append(
                _refusal(
                    f"'{name}' exceeds maximum operation cost of {config.max_cost}:"
                    f" its cost is {_number(measure.cost)} ({COST_RULE})",
                    node,
                )
            )
        return errors


class QuietExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, whose errors suggest no names ("Did you mean …?"): the
    executor of a production schema, where introspection is off."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        # graphql-core passes it by keyword (and names it in every `execute`).
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)


def _refusal(message: str, node: OperationDefinitionNode | None = None) -> GraphQLError:
    return GraphQLError(message, nodes=node, extensions={"code": "GRAPHQL_VALIDATION_FAILED"})


def _number(value: int) -> str:
    return str(value) if value < SATURATED else f"over {SATURATED}"


def _said_plainly(error: GraphQLError) -> GraphQLError:
    """graphql-core's error when a document exhausts its budget for merging fields says
    only "Validation aborted."; this one says why."""
    if error.message != "Validation aborted.":
        return error
    return _refusal(
        "the document is too costly to validate: merging its fields of the same name"
        f" takes more than {MERGE_BUDGET} comparisons"
    )
