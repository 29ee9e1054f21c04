"""strawberry's extensions: where strawberry's path takes the pipeline's steps.

Each extension is an adapter: it hands one step of `pipeline` (or the schema's
`DocumentChecks`) what strawberry's execution context holds, at the hook where the step
belongs, and does nothing of its own; `DirectExecution` takes the same steps (decision 31).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext

from coordination.graphql import cacheability, pipeline
from coordination.graphql.context import GraphQLContext
from coordination.graphql.document_checks import DocumentChecks


def _context(execution: ExecutionContext) -> GraphQLContext | None:
    context = execution.context
    return context if isinstance(context, GraphQLContext) else None


def _kind(execution: ExecutionContext) -> str | None:
    try:
        return execution.operation_type.value
    except RuntimeError:  # no operation could be picked: validation has said why
        return None


def _refuse(execution: ExecutionContext, error: GraphQLError) -> None:
    execution.result = GraphQLExecutionResult(data=None, errors=[error])


class Authentication(SchemaExtension):
    """`pipeline.caller_refusal`, before anything runs."""

    def on_execute(self) -> Iterator[None]:
        context = _context(self.execution_context)
        refused = pipeline.caller_refusal(context) if context is not None else None
        if refused is not None:
            _refuse(self.execution_context, refused)
        yield


class SubscriptionsOverWebSocket(SchemaExtension):
    """`pipeline.subscription_refusal`, before anything runs."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        request = getattr(execution.context, "request", None)
        refused = pipeline.subscription_refusal(_kind(execution), request)
        if refused is not None:
            _refuse(execution, refused)
        yield


class CheckedDocuments(SchemaExtension):
    """Takes a document's parse and validation from the schema's `DocumentChecks`, so
    that strawberry's path holds documents to the same checks as `DirectExecution`, each
    distinct document checked once.

    A document that does not parse is left unparsed: strawberry parses it again and
    reports the error where it catches it. (Parsed on entering the step, outside that
    handling, a subscribe with a syntax error over WebSocket ended in a bare `complete`,
    no error sent; strawberry's own parse closes the connection with 4400 and the error
    as the reason, as graphql-transport-ws asks.)
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            context.graphql_document = _checks(context).check(context.query).document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query, "strawberry runs no document without its text"
        # Set, strawberry's own validation does not run.
        context.pre_execution_errors = list(_checks(context).check(context.query).errors)
        yield


def _checks(execution: ExecutionContext) -> DocumentChecks:
    checks = getattr(execution.schema, "checks", None)
    assert isinstance(checks, DocumentChecks), "a schema made by `build_schema`"
    return checks


class FreshReads(SchemaExtension):
    """`pipeline.fresh_reads`, as each operation begins."""

    def on_operation(self) -> Iterator[None]:
        context = _context(self.execution_context)
        if context is not None:
            pipeline.fresh_reads(context)
        yield


class CachedResults(SchemaExtension):
    """`pipeline.keeping` around the execution: a kept answer instead of running, or the
    run's result kept."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = _context(execution)
        kept = None
        if context is not None:
            kept = await pipeline.keeping(
                context,
                execution.query,
                execution.operation_name,
                execution.variables,
                self._cacheability(),
            )
        if kept is None:
            yield
            return
        if kept.found is not None:
            execution.result = kept.found
            yield
            return
        result = None
        try:
            yield
            result = execution.result
        finally:
            kept.finish(result)

    def _cacheability(self) -> cacheability.Cacheability:
        execution = self.execution_context
        fields = getattr(execution.schema, "cacheability", None)
        document = execution.graphql_document
        if execution.result is not None or document is None or fields is None:
            return cacheability.Cacheability.LIVE  # answered already (a refusal): not kept
        return cacheability.of_operation(document, execution.operation_name, fields)


class MaskUnexpectedErrors(MaskErrors):
    """`pipeline.shown_errors` on the operation's errors (strawberry's `MaskErrors` finds
    them, in results and streamed ones alike)."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return pipeline.shown_errors(errors, self.execution_context.context)


class OperationMetrics(SchemaExtension):
    """`pipeline.record_operation` once the operation is answered."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        execution = self.execution_context
        result = execution.result
        ok = result is not None and not getattr(result, "errors", None)
        kind = _kind(execution) or "invalid"
        pipeline.record_operation(execution.context, execution.operation_name, kind, started, ok)
