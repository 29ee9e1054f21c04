"""What a GraphQL request is answered while the node's database is unavailable.

Over HTTP: status 503 with `Retry-After`, and a GraphQL error document whose one error
has the code UNAVAILABLE; over WebSocket, an `error` message carrying that error. The
HTTP endpoint (`EndpointRouter.run`, which both execution paths go through) answers so
when the database is known to be down before anything runs, when the check before a kept
answer (the views' position) cannot reach it, and when execution met the outage: the
pipeline's error step, which both paths take (`pipeline.unexpected`), turns such an error
into UNAVAILABLE and marks the request's context.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError, GraphQLFormattedError
from starlette.responses import Response

from coordination.persistence.availability import RETRY_AFTER_S, is_connection_failure

if TYPE_CHECKING:
    from coordination.graphql.context import Services

UNAVAILABLE = "UNAVAILABLE"
MESSAGE = (
    "the node's database is unavailable, so the node cannot answer now;"
    f" try again in {RETRY_AFTER_S} s or later"
)


def database_down(services: Services | None) -> bool:
    """Whether the node's database is known to be down (`Services.availability`): one
    attribute read, no round trip."""
    return services is not None and services.availability.down


def error_of(error: GraphQLError) -> GraphQLError:
    """The UNAVAILABLE error that replaces `error`, which the outage caused (its place in
    the document and the result is kept)."""
    return GraphQLError(
        MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": UNAVAILABLE},
    )


def formatted() -> GraphQLFormattedError:
    """The error as it is sent: its message and code."""
    return {"message": MESSAGE, "extensions": {"code": UNAVAILABLE}}


def response() -> Response:
    """The HTTP answer: 503, `Retry-After`, the error document (no `data`: nothing ran,
    or what ran is not shown half done)."""
    return Response(
        orjson.dumps({"errors": [formatted()]}),
        status_code=503,
        media_type="application/json",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def guarded(
    services: Services | None, context: object, answer: Coroutine[Any, Any, Response]
) -> Response:
    """`answer`'s response, or the outage's: at once while the database is known to be
    down (`answer` is then never started), when the check before execution could not
    reach it, and when the request's execution met the outage (`context.unavailable`)."""
    if database_down(services):
        answer.close()
        return response()
    try:
        answered = await answer
    except Exception as error:
        if not is_connection_failure(error):
            raise
        return response()
    return response() if getattr(context, "unavailable", False) else answered
