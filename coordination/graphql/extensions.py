"""Schema extensions: checking documents, refusing bad tokens, masking unexpected errors,
timing operations.

A document's checks (tokens, depth, aliases, cost, validation) are the schema's
`DocumentChecks`, which `CheckedDocuments` hands to strawberry; they run before any
resolver, so a refused document costs nothing but its checks, once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.websockets import WebSocket
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from coordination.graphql import outage
from coordination.graphql.context import GraphQLContext
from coordination.graphql.document_checks import DocumentChecks
from coordination.graphql.errors import unauthenticated
from coordination.persistence.availability import is_connection_failure

log = logging.getLogger("coordination.graphql")


def is_expected(error: GraphQLError) -> bool:
    """Syntax, validation and our own coded errors are shown; anything else is masked."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def _a_value_refused(message: str) -> bool:
    # graphql-core's words when a variable's value does not fit its type (validation's
    # own errors about variables, such as one never used, say otherwise).
    return (
        message.startswith("Variable '$") and " has invalid " in message
    ) or message == "Variable values are nested too deeply."


def coded(error: GraphQLError) -> GraphQLError:
    """An expected error with a code a client can act on: ours keep theirs; a document
    that does not parse (or exceeds the token limit) is GRAPHQL_PARSE_FAILED, a
    variable's value BAD_USER_INPUT, any other refusal before execution (an unknown
    field, a literal of the wrong type, the depth, alias and cost limits)
    GRAPHQL_VALIDATION_FAILED. graphql-core codes none of these."""
    if (error.extensions or {}).get("code") is not None:
        return error
    if isinstance(error, GraphQLSyntaxError):
        code = "GRAPHQL_PARSE_FAILED"
    elif _a_value_refused(error.message):
        code = "BAD_USER_INPUT"
    elif not error.path:
        code = "GRAPHQL_VALIDATION_FAILED"
    else:
        return error
    # In place: the error keeps its class (strawberry closes a WebSocket with 4400 on a
    # GraphQLSyntaxError, and sent nothing at all for a copy of another class), and an
    # error it keeps and shows again is coded alike.
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


class Authentication(SchemaExtension):
    """Answers UNAUTHENTICATED, before anything runs, when the offered token was refused
    (or when no token was offered and anonymous callers are refused)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, GraphQLContext):
            reason = context.auth_error
            refused_anonymous = (
                context.principal.is_anonymous and not context.services.config.allow_anonymous
            )
            if reason is None and refused_anonymous:
                reason = "this node requires a token: send `Authorization: Bearer <token>`"
            if reason is not None:
                self.execution_context.result = GraphQLExecutionResult(
                    data=None, errors=[unauthenticated(reason)]
                )
        yield


#: What a subscription sent over plain HTTP is told.
SUBSCRIBE_OVER_WEBSOCKET = (
    "subscriptions are served over WebSocket (graphql-transport-ws) at this same path;"
    " over HTTP this endpoint answers queries and mutations"
)


class SubscriptionsOverWebSocket(SchemaExtension):
    """Refuses a subscription sent as an ordinary HTTP request, with an error saying where
    subscriptions are served.

    strawberry executes such a request as if it were a query, and the subscription's
    field, which yields events rather than returning a value, then failed as an
    unexpected error (masked, and logged as a fault of the node).
    """

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        request = getattr(execution.context, "request", None)
        if not isinstance(request, WebSocket) and _is_subscription(execution):
            execution.result = GraphQLExecutionResult(
                data=None,
                errors=[GraphQLError(SUBSCRIBE_OVER_WEBSOCKET, extensions={"code": "BAD_REQUEST"})],
            )
        yield


def _is_subscription(execution: ExecutionContext) -> bool:
    try:
        return execution.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # no operation could be picked: validation has said why
        return False


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
            context.graphql_document = self._checks().check(context.query).document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query, "strawberry runs no document without its text"
        # Set, strawberry's own validation does not run.
        context.pre_execution_errors = list(self._checks().check(context.query).errors)
        yield

    def _checks(self) -> DocumentChecks:
        checks = getattr(self.execution_context.schema, "checks", None)
        assert isinstance(checks, DocumentChecks), "a schema made by `build_schema`"
        return checks


class FreshReads(SchemaExtension):
    """Starts each operation with empty per-request memos.

    Over HTTP a context serves one operation; over WebSocket one context serves every
    operation of the connection, and rows memoised by an earlier one must not be shown
    by a later one.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, GraphQLContext):
            context.cache.clear()
        yield


class MaskUnexpectedErrors(MaskErrors):
    """Replaces unexpected errors by a generic message that carries the request id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return unexpected(error, self.execution_context.context)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        # strawberry's own step (masking) and then a code on every error shown.
        return [coded(error) for error in super()._process_errors(errors)]


def unexpected(error: GraphQLError, context: object) -> GraphQLError:
    """What the caller sees of an unexpected error, on either execution path: UNAVAILABLE
    when the database could not be reached (and the context is marked, so that HTTP
    answers 503: `outage`), else the error masked with the request id."""
    known = context if isinstance(context, GraphQLContext) else None
    if is_connection_failure(error.original_error):
        if known is not None:
            known.unavailable = True
        return outage.error_of(error)
    return masked(error, known.request_id if known is not None else None)


def masked(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """What the caller sees of an unexpected error: a generic message and the request id."""
    return GraphQLError(
        message="Unexpected error; quote the request id when reporting it.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


class OperationMetrics(SchemaExtension):
    """Counts and times each operation by name and type."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context.context
        if not isinstance(context, GraphQLContext) or context.services.metrics is None:
            return
        try:
            kind = self.execution_context.operation_type.value
        except RuntimeError:
            kind = "invalid"
        result = self.execution_context.result
        ok = result is not None and not getattr(result, "errors", None)
        context.services.metrics.observe_operation(
            self.execution_context.operation_name, kind, time.perf_counter() - started, ok
        )
