"""The test suite's agreement check: each query the direct path answers is answered
again by strawberry's path, and the two answers must be the same.

Both paths take the pipeline's steps (`pipeline`), each wrapped its own way; this check
shows, on every query the suite sends over HTTP, that the wrapping changes nothing
(decision 31). `COORDINATION_GRAPHQL_AGREEMENT_CHECK` switches it on: the suite sets it
for its whole session, and the nodes it starts as processes inherit it. A node in
production never builds it, whatever the variable says.

The second answer is computed with a context of its own, without the result cache and
the metrics, so that the request's effects (its kept answer, its count) are the first
answer's alone; a mutation is never run twice. The answers may differ legitimately only
when the node's data moved between them (a view committed, an event recorded, the signed
log grew): where the data stands is read before the first answer and, when the answers
differ, again after the second; if it moved, or cannot be read (the database is down),
the request is not compared.

A difference is answered 500 with an error that carries both answers, logged, and kept
in `DISAGREEMENTS`, which the suite asserts empty after each test.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from anyio import to_thread
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response

from coordination.graphql.context import GraphQLContext, Services
from coordination.graphql.direct import DirectExecution

log = logging.getLogger("coordination.graphql")

#: The error code of the answer given when the paths disagree.
CODE = "PATHS_DISAGREE"

#: Every disagreement met in this process, for the test suite to assert on.
DISAGREEMENTS: list[Disagreement] = []
#: Queries compared, and those not compared because the data moved between the answers.
COUNTS: Counter[str] = Counter()

Answer = tuple[int, object]
Strawberrys = Callable[[Request, GraphQLContext], Awaitable[Response]]


@dataclass(frozen=True)
class Disagreement:
    """A query the two paths answered differently: its document, and each path's
    status and body."""

    query: str
    direct: Answer
    strawberry: Answer


class AgreementCheck:
    """The direct path's answers, each checked against strawberry's (see the module).

    Args:
        direct: The direct path, whose `answer` is asked first (and is the request's).
        strawberrys: strawberry's answer to a request with a given context.
    """

    def __init__(self, direct: DirectExecution, strawberrys: Strawberrys) -> None:
        self.direct, self.strawberrys = direct, strawberrys

    async def answer(
        self, request: Request, body: bytes, context: GraphQLContext
    ) -> Response | None:
        """The direct path's answer to `request`, or the disagreement's."""
        query = self._query(body)
        before = await _moment(context.services) if query is not None else None
        response = await self.direct.answer(request, body, context)
        if response is None or query is None or before is None:
            return response
        first = _answer(response)
        second = _answer(await self._again(request, context))
        if first == second:
            COUNTS["compared"] += 1
            return response
        if await _moment(context.services) != before:
            COUNTS["moved"] += 1
            return response
        DISAGREEMENTS.append(Disagreement(query, first, second))
        log.error(
            "the direct path and strawberry's answered a query differently",
            extra={"fields": {"request_id": context.request_id, "code": CODE}},
        )
        error = {
            "message": "the two GraphQL execution paths disagree on this request",
            "extensions": {"code": CODE, "direct": first, "strawberry": second},
        }
        return Response(orjson.dumps({"errors": [error]}), 500, media_type="application/json")

    def _query(self, body: bytes) -> str | None:
        """The document of a body that asks for a query the direct path may answer."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        query = data.get("query") if isinstance(data, dict) else None
        if not isinstance(query, str) or not query:
            return None
        name = data.get("operationName")
        operation = self.direct.prepare(query).operations.get(
            name if isinstance(name, str) else None
        )
        return query if operation is not None and operation.kind is OperationType.QUERY else None

    async def _again(self, request: Request, context: GraphQLContext) -> Response:
        """strawberry's answer, with a context of its own and a status and headers of its
        own for resolvers to set."""
        services = replace(context.services, results=None, metrics=None)
        again = GraphQLContext(services, context.principal, context.request_id, context.auth_error)
        state = request.state
        own = getattr(state, "graphql_sub_response", None)
        if own is not None:
            sub_response = Response()
            del sub_response.headers["content-length"]
            state.graphql_sub_response = sub_response
        try:
            return await self.strawberrys(request, again)
        finally:
            if own is not None:
                state.graphql_sub_response = own


def _answer(response: Response) -> Answer:
    body = bytes(response.body)
    try:
        return response.status_code, orjson.loads(body)
    except orjson.JSONDecodeError:
        return response.status_code, body.decode(errors="replace")


async def _moment(services: Services) -> tuple[Any, ...] | None:
    """Where the node's data stands: every view's position, the event store's last
    notification, the signed log's position and latest checkpoint; None when that
    cannot be read."""
    if services.availability.down:
        return None
    try:
        views = await services.db.fetch(
            "SELECT view, generation, status, position FROM projection_tracking"
        )
        log_state = await to_thread.run_sync(_log_state, services)
    except Exception:  # the database is down, or the views are not there: not compared
        return None
    return (sorted(tuple(row.values()) for row in views), log_state)


def _log_state(services: Services) -> tuple[Any, ...]:
    head = services.app.recorder.max_notification_id()
    audit_log = services.audit_log
    if audit_log is None:
        return (head,)
    checkpoint = audit_log.storage.latest_checkpoint()
    return (head, audit_log.storage.position(), checkpoint.size if checkpoint else None)
