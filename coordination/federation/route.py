"""The feed's route class: errors as problem documents, and ``HEAD`` as ``GET`` without
its body (FEED-PROTOCOL.md §4: "``HEAD`` is answered wherever ``GET`` is").

FastAPI answers ``HEAD`` only where a route names it, and Starlette sends whatever body
a response has, whatever the method (only uvicorn drops it, on the wire). Each feed
route is registered for both methods; this class answers ``HEAD`` with the status and
every header the ``GET`` would have, errors included, ``Content-Length`` too (RFC 9110
§9.3.2), and no body.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response

from .problems import ProblemRoute


def headers_only(response: Response) -> Response:
    """``response``'s status and headers, without its body."""
    bare = Response(status_code=response.status_code, background=response.background)
    bare.raw_headers = list(response.raw_headers)
    return bare


class FeedRoute(ProblemRoute):
    """A feed route: its errors are problem documents, and its ``HEAD`` has no body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            response = await handler(request)
            return headers_only(response) if request.method == "HEAD" else response

        return route
