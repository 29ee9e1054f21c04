"""`DirectExecution`: an ordinary POST operation, executed on graphql-core directly.

strawberry's `Schema.execute` wraps every operation in its extension machinery: nine
extension objects made per operation, context managers around parsing, validation and
execution, a cache lookup per step, a Protocol check per result. Beside a write and the
query confirming it, that machinery and the view's request handling were about a
quarter of the server's time (decision 19). For a request shaped as clients send them,
this module takes the pipeline's steps (`pipeline`, decision 31) in one pass, the same
functions strawberry's extensions call:

- the document's parse and checks (tokens, depth, aliases, cost, validation) from the
  schema's `DocumentChecks`, keeping what it needs of each distinct document in an LRU;
- fresh per-operation memos; the `ResultCache` for a query its root fields declare
  cacheable; execution with strawberry's executor class, so every resolver runs as
  under strawberry; unexpected errors logged and masked; the operation counted and timed.

A request the pipeline's refusals answer (a caller `caller_refusal` refuses, a
subscription) goes to strawberry, whose adapters of the same steps answer it; so does
anything else, so that strawberry's answers stay its own word for word: a body that is
not a JSON object with a query string (and optional variables object and operation
name), a content type other than JSON, a document that does not parse or validate, an
operation that cannot be picked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
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

from coordination.graphql import media, pipeline, request_json
from coordination.graphql.cacheability import Cacheability, of_operation
from coordination.graphql.context import GraphQLContext
from coordination.graphql.document_checks import DOCUMENT_CACHE_SIZE
from coordination.graphql.schema import CoordinationSchema

_BODY_KEYS = frozenset({"query", "variables", "operationName"})


@dataclass(frozen=True)
class Operation:
    """One operation of a prepared document: its name, its type, whether its result may
    be kept (its root fields read the views alone)."""

    name: str | None
    kind: OperationType
    cacheability: Cacheability


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
        self.schema = schema
        executor = schema.execution_context_class
        self._executor: dict[str, Any] = {} if executor is None else {"executor_class": executor}
        self._prepared = lru_cache(maxsize=size)(self._prepare)

    async def answer(
        self, request: Request, body: bytes, context: GraphQLContext
    ) -> Response | None:
        """The answer to `request` (whose body is `body`), or None: strawberry's to give."""
        parts = _ordinary(request, body)
        if parts is None or pipeline.caller_refusal(context) is not None:
            return None
        query, variables, name = parts
        prepared = self.prepare(query)
        operation = prepared.operations.get(name)
        if prepared.document is None or operation is None:
            return None
        if operation.kind is OperationType.SUBSCRIPTION:
            return None
        started = time.perf_counter()
        pipeline.fresh_reads(context)
        try:
            result = await self._result(prepared.document, query, variables, operation, context)
        except Exception as error:  # as strawberry's `execute` turns it into an error
            failed = error if isinstance(error, GraphQLError) else None
            failed = failed or GraphQLError(str(error), original_error=error)
            result = ExecutionResult(None, [failed])
        errors = result.errors
        if errors:
            pipeline.log_unexpected(errors, context)
            errors = pipeline.shown_errors(errors, context)
        pipeline.record_operation(
            context, operation.name, operation.kind.value, started, not errors
        )
        payload: dict[str, Any] = {"data": result.data}
        if errors:
            payload["errors"] = [error.formatted for error in errors]
        status = 200
        if media.never_ran(result) and media.wants_graphql_response(request):
            del payload["data"]  # variables refused: 400 and no data, under the spec's type
            status = 400
        return Response(orjson.dumps(payload), status, media_type="application/json")

    def prepare(self, query: str) -> Prepared:
        """The document of `query`, parsed and checked once while it stays in the LRU."""
        return self._prepared(query)

    def _prepare(self, query: str) -> Prepared:
        checked = self.schema.checks.check(query)
        document = checked.document
        if document is None or checked.errors:
            return _STRAWBERRYS  # its refusal is strawberry's to say, from the same checks
        definitions = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        operations: dict[str | None, Operation] = {}
        for definition in definitions:
            name = definition.name.value if definition.name else None
            kept = of_operation(document, name, self.schema.cacheability)
            operation = Operation(name, definition.operation, kept)
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
        """The result, from the `ResultCache` where the operation's result may be kept."""
        kept = await pipeline.keeping(
            context, query, operation.name, variables, operation.cacheability
        )
        if kept is None:
            return await self._execute(document, variables, operation, context)
        if kept.found is not None:
            return kept.found
        result = None
        try:
            result = await self._execute(document, variables, operation, context)
        finally:
            kept.finish(result)
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
    if variables and not request_json.read_as_written(variables):
        return None  # strawberry's decoder reads the numbers as they are written
    if name is not None and not isinstance(name, str):
        return None
    return query, variables, name
