"""The node's own middleware: request ids, metrics and the access log, the request body
limit, and the GraphQL lane inside both.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coordination.http.body_limit import BodySizeLimit
from coordination.http.lane import GraphQLLane, NodeApp
from coordination.observability import Metrics
from coordination.observability.logs import (
    REQUEST_ID_HEADER,
    correlation_id_var,
    new_request_id,
    request_id_var,
)

if TYPE_CHECKING:
    from coordination.graphql.router import GraphQLApi

log = logging.getLogger("coordination.http")


class RequestIdMiddleware:
    """Assigns or propagates X-Request-ID, times each request, counts it and logs it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        offered = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = new_request_id(offered)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        correlation = correlation_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                self._record(scope, status, time.perf_counter() - started)
            request_id_var.reset(token)
            correlation_id_var.reset(correlation)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope.get("method", "GET")
        self.metrics.http_requests.labels(method, route, str(status)).inc()
        self.metrics.http_seconds.labels(method, route).observe(seconds)
        log.info(
            "request served",
            extra={
                "fields": {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                }
            },
        )


def install_middleware(
    app: NodeApp,
    metrics: Metrics,
    *,
    max_body_bytes: int = BodySizeLimit.DEFAULT_MAX_BYTES,
    graphql: GraphQLApi | None = None,
) -> None:
    """Add the node's own middleware to `app`: one chain, built once, when FastAPI builds
    its middleware stack. Outermost the request-id/metrics/access-log middleware, inside
    it the request body size limit and, given the app's GraphQL endpoint, innermost its
    lane (`GraphQLLane`), which passes every request it does not take on to FastAPI's
    routing.

    The body limit sits inside the request-id middleware, so a refused body is still
    counted and answered with its request id; the lane sits inside both, and the app
    sends the requests the lane takes straight to the chain's outermost middleware,
    past FastAPI's own (`NodeApp`).
    """

    def node_chain(routing: ASGIApp) -> ASGIApp:
        lane = GraphQLLane(routing, api=graphql) if graphql is not None else None
        entry = RequestIdMiddleware(
            BodySizeLimit(lane or routing, max_bytes=max_body_bytes), metrics
        )
        if lane is not None:
            app.open_lane(entry, lane)
        return entry

    app.add_middleware(node_chain)
