"""One GraphQL pipeline: the steps every operation takes, whichever way it runs.

An operation runs through strawberry's `Schema.execute` (GET, the WebSocket, anything
unusual) or, for an ordinary POST, through `DirectExecution` (decision 19). Both take
these steps, from this module, in this order (decision 31):

1. the document's checks (`DocumentChecks`, one LRU for both); a document of several
   operations must name the one to run (`unnamed_among_several`);
2. `caller_refusal`: UNAUTHENTICATED for a refused token, or for an anonymous caller
   where they are refused;
3. `subscription_refusal`: a subscription sent over plain HTTP is told where
   subscriptions are served;
4. `fresh_reads`: the operation starts with empty per-operation memos;
5. `keeping`: a view query is answered from the `ResultCache`, or run and kept;
6. execution, with the schema's executor class;
7. `log_unexpected` and `shown_errors`: unexpected errors logged with the request id and
   masked (UNAVAILABLE when the database could not be reached), every error shown coded;
8. `record_operation`: the operation counted and timed.

strawberry's path calls them from its extensions (`extensions.py`, thin adapters), and
`DirectExecution` calls them in a row, leaving to strawberry the requests steps 2 and 3
refuse. Neither re-implements a step: a change here changes both paths.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from graphql import ExecutionResult, GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from starlette.websockets import WebSocket

from coordination.graphql import outage
from coordination.graphql.cacheability import Cacheability
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import unauthenticated
from coordination.graphql.result_cache import Key, ResultCache, result_key
from coordination.persistence.availability import is_connection_failure

if TYPE_CHECKING:
    from coordination.graphql.document_checks import DocumentChecks

log = logging.getLogger("coordination.graphql")

#: What a subscription sent over plain HTTP is told.
SUBSCRIBE_OVER_WEBSOCKET = (
    "subscriptions are served over WebSocket (graphql-transport-ws) at this same path,"
    " not over plain HTTP"
)
#: What an anonymous caller is told where anonymous callers are refused.
ANONYMOUS_REFUSED = "this node requires a token: send `Authorization: Bearer <token>`"


def unnamed_among_several(
    checks: DocumentChecks, query: object, operation_name: object
) -> str | None:
    """Why a request may not run when its document has several operations and it names
    none (strawberry would run the first; the spec asks for an error); None when it may,
    or when the document does not parse and validate (that is said elsewhere)."""
    if operation_name or not isinstance(query, str) or not query:
        return None
    checked = checks.check(query)
    if checked.document is None or checked.errors:
        return None
    definitions = checked.document.definitions
    count = sum(isinstance(definition, OperationDefinitionNode) for definition in definitions)
    if count < 2:
        return None
    return f"the document has {count} operations: name the one to run in operationName"


def caller_refusal(context: GraphQLContext) -> GraphQLError | None:
    """UNAUTHENTICATED when the offered token was refused, or when no token was offered
    and anonymous callers are refused; None: the caller may ask."""
    reason = context.auth_error
    anonymous_refused = not context.services.config.allow_anonymous
    if reason is None and context.principal.is_anonymous and anonymous_refused:
        reason = ANONYMOUS_REFUSED
    return unauthenticated(reason) if reason is not None else None


def subscription_refusal(kind: str | None, connection: object) -> GraphQLError | None:
    """The refusal of a subscription (`kind`, the operation's type) that came over plain
    HTTP rather than a WebSocket; None for anything else.

    strawberry would execute it as if it were a query, and the subscription's field,
    which yields events rather than returning a value, failed as an unexpected error.
    """
    if kind != "subscription" or isinstance(connection, WebSocket):
        return None
    return GraphQLError(SUBSCRIBE_OVER_WEBSOCKET, extensions={"code": "BAD_REQUEST"})


def fresh_reads(context: GraphQLContext) -> None:
    """Empty the per-operation memos: over WebSocket one context serves every operation
    of the connection, and rows memoised by an earlier one must not be shown by a later
    one."""
    context.cache.clear()


class Keeping:
    """An operation's use of the `ResultCache`: the answer kept for it (`found`), or
    its run, whose result `finish` keeps (and hands to identical queries waiting)."""

    def __init__(
        self,
        context: GraphQLContext,
        cache: ResultCache,
        key: Key,
        name: str | None,
        found: ExecutionResult | None,
    ) -> None:
        self.context, self.cache, self.key, self.name = context, cache, key, name
        self.found = found
        if found is not None:
            self._mark()

    def finish(self, result: object) -> None:
        """End the run with `result` (None when it failed); a result without errors is
        kept. Called once, whatever happened."""
        kept = result if isinstance(result, ExecutionResult) and not result.errors else None
        self.cache.finish(self.key, kept)
        if kept is not None:
            self._mark()

    def _mark(self) -> None:
        # Tells the HTTP layer its answer may be kept whole, and for which position.
        self.context.kept_result = (self.key[0], self.name)


async def keeping(
    context: GraphQLContext,
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    cacheability: Cacheability,
) -> Keeping | None:
    """The result cache's part in an operation; None when it takes none (no cache, or an
    operation whose answer may not be kept). The views' position is confirmed first
    where it may lag (once per request); a `Keeping` without `found` has started a run,
    which must be ended with `finish`."""
    cache = context.services.results
    if cache is None:
        return None
    if not context.position_confirmed:
        await cache.confirm_position()
    if cacheability is not Cacheability.VIEWS:
        return None
    key = result_key(cache, context, query, operation_name, variables)
    if key is None:
        return None
    found = await cache.kept_or_shared(key)
    if found is None:
        cache.start(key)
    return Keeping(context, cache, key, operation_name, found)


def is_expected(error: GraphQLError) -> bool:
    """Syntax, validation and our own coded errors are shown; anything else is masked."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def log_unexpected(errors: list[GraphQLError], context: object) -> None:
    """Log the unexpected ones among `errors`, with the request id, before they are masked.

    Expected errors (syntax, validation, refused tokens, bad cursors) are the caller's
    business and are answered, not logged as failures.
    """
    request_id = context.request_id if isinstance(context, GraphQLContext) else None
    for error in errors:
        if is_expected(error):
            continue
        original = error.original_error
        log.error(
            "unexpected error in a GraphQL operation",
            exc_info=(type(original), original, original.__traceback__)
            if original is not None
            else None,
            extra={"fields": {"path": error.path, "request_id": request_id}},
        )


def shown_errors(errors: list[GraphQLError], context: object) -> list[GraphQLError]:
    """The errors as the caller sees them: expected ones coded, unexpected ones masked."""
    return [coded(error) if is_expected(error) else unexpected(error, context) for error in errors]


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


def unexpected(error: GraphQLError, context: object) -> GraphQLError:
    """What the caller sees of an unexpected error: UNAVAILABLE when the database could
    not be reached (and the context is marked, so that HTTP answers 503: `outage`), else
    the error masked with the request id."""
    known = context if isinstance(context, GraphQLContext) else None
    if is_connection_failure(error.original_error):
        if known is not None:
            known.unavailable = True
        return outage.error_of(error)
    return masked(error, known.request_id if known is not None else None)


def masked(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """An unexpected error as shown: a generic message and the request id."""
    return GraphQLError(
        message="Unexpected error; quote the request id when reporting it.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def record_operation(
    context: object, name: str | None, kind: str, started: float, ok: bool
) -> None:
    """Count and time an operation (`started`: `time.perf_counter()` when it began) by
    its name and type, and whether it answered without errors."""
    metrics = context.services.metrics if isinstance(context, GraphQLContext) else None
    if metrics is not None:
        metrics.observe_operation(name, kind, time.perf_counter() - started, ok)
