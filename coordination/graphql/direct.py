"""`DirectExecution`: an ordinary POST operation, executed on graphql-core directly.

strawberry's `Schema.execute` wraps every operation in its extension machinery: nine
extension objects made per operation, context managers around parsing, validation and
execution, a cache lookup per step, a Protocol check per result. Beside a write and the
query confirming it, that machinery and the view's request handling were about a
quarter of the server's time (decision 19). For a request shaped as clients send them,
this module does in one pass what those extensions do:

- take the document's parse and checks (tokens, depth, aliases, cost, validation) from
  the schema's `DocumentChecks`, as strawberry's path does, and keep what it needs of
  each distinct document in an LRU;
- refuse nothing itself: a caller whose token was refused goes to strawberry, whose
  `Authentication` extension answers;
- answer view queries from the `ResultCache` and fill it, as `CachedResults` does;
- execute with strawberry's executor class, so every resolver runs as under strawberry;
- log unexpected errors with the request id and mask them, as `MaskUnexpectedErrors`
  (an unreachable database as UNAVAILABLE: `extensions.unexpected`);
- count and time the operation, as `OperationMetrics` does.

Anything else goes to strawberry's own path, so its answers stay word for word
strawberry's: a body that is not a JSON object with a query string (and optional
variables object and operation name), a content type other than JSON, a document that
does not parse or validate, an operation that cannot be picked, a subscription.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
)
from starlette.requests import Request
from starlette.responses import Response
from strawberry.execution import optimized_is_awaitable

from coordination.graphql import media, request_json
from coordination.graphql.context import GraphQLContext
from coordination.graphql.document_checks import DOCUMENT_CACHE_SIZE
from coordination.graphql.extensions import coded, is_expected, unexpected
from coordination.graphql.result_cache import reads_views_only, result_key
from coordination.graphql.schema import CoordinationSchema, log_unexpected

_BODY_KEYS = frozenset({"query", "variables", "operationName"})


@dataclass(frozen=True)
class Operation:
    """One operation of a prepared document: its name, its type, whether it reads only
    the views (so that its result may be kept)."""

    name: str | None
    kind: OperationType
    views_only: bool


@dataclass(frozen=True)
class Prepared:
    """A document that parsed and validated, with its operations by name; or, with no
    document, one that strawberry should answer."""

    document: DocumentNode | None
    operations: dict[str | None, Operation]


_STRAWBERRYS = Prepared(None, {})


class DirectExecution:
    """Executes ordinary POST operations on graphql-core directly (see the module).

    Args:
        schema: The node's schema, whose checks, graphql-core schema and executor are used.
        size: Distinct documents kept prepared.
    """

    def __init__(self, schema: CoordinationSchema, size: int = DOCUMENT_CACHE_SIZE) -> None:
        self.schema, self.size = schema, size
        executor = schema.execution_context_class
        self._executor: dict[str, Any] = {} if executor is None else {"executor_class": executor}
        self._documents: OrderedDict[str, Prepared] = OrderedDict()

    async def answer(
        self, request: Request, body: bytes, context: GraphQLContext
    ) -> Response | None:
        """The answer to `request` (whose body is `body`), or None: strawberry's to give."""
        parts = _ordinary(request, body)
        if parts is None or not _admitted(context):
            return None
        query, variables, name = parts
        prepared = self.prepare(query)
        operation = prepared.operations.get(name)
        if prepared.document is None or operation is None:
            return None
        if operation.kind is OperationType.SUBSCRIPTION:
            return None
        started = time.perf_counter()
        context.cache.clear()  # as `FreshReads` does
        try:
            result = await self._result(prepared.document, query, variables, operation, context)
        except Exception as error:  # as strawberry's `execute` turns it into an error
            result = ExecutionResult(None, [GraphQLError(str(error), original_error=error)])
        errors = result.errors
        if errors:
            log_unexpected(errors, context.request_id)
            errors = [coded(e) if is_expected(e) else unexpected(e, context) for e in errors]
        metrics = context.services.metrics
        if metrics is not None:
            seconds = time.perf_counter() - started
            metrics.observe_operation(operation.name, operation.kind.value, seconds, not errors)
        payload: dict[str, Any] = {"data": result.data}
        if errors:
            payload["errors"] = [error.formatted for error in errors]
        status = 200
        if media.never_ran(result) and media.wants_graphql_response(request):
            del payload["data"]  # variables refused: 400 and no data, under the spec's type
            status = 400
        return Response(orjson.dumps(payload), status, media_type="application/json")

    def unnamed_among_several(self, query: object, operation_name: object) -> str | None:
        """Why a request may not run, when its document has several operations and it
        names none (strawberry would run the first; the spec asks for an error); None
        when it may, or when the document does not parse and validate (that is said
        elsewhere)."""
        if operation_name or not isinstance(query, str) or not query:
            return None
        operations = self.prepare(query).operations
        # A single operation is also kept under None, to be run without its name.
        count = 1 if None in operations else len(operations)
        if count < 2:
            return None
        return f"the document has {count} operations: name the one to run in operationName"

    def prepare(self, query: str) -> Prepared:
        """The document of `query`, parsed and checked once while it stays in the LRU."""
        found = self._documents.get(query)
        if found is not None:
            self._documents.move_to_end(query)
            return found
        prepared = self._prepare(query)
        self._documents[query] = prepared
        while len(self._documents) > self.size:
            self._documents.popitem(last=False)
        return prepared

    def _prepare(self, query: str) -> Prepared:
        checked = self.schema.checks.check(query)
        document = checked.document
        if document is None or checked.errors:
            return _STRAWBERRYS  # its refusal is strawberry's to say, from the same checks
        definitions = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        operations: dict[str | None, Operation] = {}
        for definition in definitions:
            name = definition.name.value if definition.name else None
            operation = Operation(name, definition.operation, reads_views_only(document, name))
            if name is not None:
                operations[name] = operation
            if len(definitions) == 1:  # picked without a name, and called by its own
                operations[None] = operation
        return Prepared(document, operations)

    async def _result(
        self,
        document: DocumentNode,
        query: str,
        variables: dict[str, Any] | None,
        operation: Operation,
        context: GraphQLContext,
    ) -> ExecutionResult:
        """The result, from the `ResultCache` where the operation reads only the views."""
        cache = context.services.results
        key = None
        if cache is not None:
            if not context.position_confirmed:
                await cache.confirm_position()
            if operation.views_only:
                key = result_key(cache, context, query, operation.name, variables)
        if cache is None or key is None:
            return await self._execute(document, variables, operation, context)
        found = await cache.kept_or_shared(key)
        if found is not None:
            context.kept_result = (key[0], operation.name)
            return found
        cache.start(key)
        kept: ExecutionResult | None = None
        try:
            result = await self._execute(document, variables, operation, context)
            kept = None if result.errors else result
        finally:
            cache.finish(key, kept)
        if kept is not None:
            context.kept_result = (key[0], operation.name)
        return result

    async def _execute(
        self,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation: Operation,
        context: GraphQLContext,
    ) -> ExecutionResult:
        result = execute(
            self.schema._schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation.name,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # as strawberry does
            operation_extensions=None,  # what strawberry's executor class expects
            **self._executor,
        )
        if isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result


def _ordinary(
    request: Request, body: bytes
) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """The query, variables and operation name of a JSON body shaped as clients send it."""
    if not request_json.is_json_content(request.headers.get("content-type")):
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not request_json.nested_within(data, request_json.MAX_NESTING):
        return None  # strawberry's path refuses it, saying why
    if not isinstance(data, dict):
        return None
    # Extensions (a persisted query, say) are strawberry's, which also refuses those that
    # are not objects (`0`, `false` were taken as none here); an empty object is none.
    if data.pop("extensions", None) not in (None, {}) or not data.keys() <= _BODY_KEYS:
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query:
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if name is not None and not isinstance(name, str):
        return None
    return query, variables, name


def _admitted(context: GraphQLContext) -> bool:
    """Whether the caller passes `Authentication`; strawberry answers those who do not."""
    if context.auth_error is not None:
        return False
    return not context.principal.is_anonymous or context.services.config.allow_anonymous
