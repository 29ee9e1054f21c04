"""`GraphQLLane`: POST /graphql goes straight to the endpoint, past FastAPI's routing.

Between the node's own middleware (request id, metrics, access log, body limit) and the
GraphQL view, FastAPI's exception middleware, exit stack, router, included router, route
and dependency solving cost more than answering a query kept in the result cache: most
of a cached page's time in the server. On a node busy with readers every step of a write
waits its turn behind theirs, so that cost was also most of how long a write took to
become visible (docs/decisions/0015-graphql-lane.md has the figures).

The lane sits innermost among the node's own middleware (`install_middleware` puts it
there), so a request it answers is still given its id, counted, logged and held to the
body limit. GET /graphql (GraphiQL, queries in the URL) and the WebSocket take the normal
route.

`NodeApp` goes one step further: the requests the lane takes enter at the node's own
middleware, past FastAPI's (a telemetry check per request, and its error, exception
telemetry and body-limit middleware), which do nothing there that the node's middleware
and the endpoint do not do themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from coordination.graphql.router import GraphQLApi


class GraphQLLane:
    """Answers POST requests to the endpoint's path itself; passes everything else on.

    Args:
        app: The rest of the application.
        api: The GraphQL endpoint whose POST requests the lane answers.
    """

    def __init__(self, app: ASGIApp, api: GraphQLApi) -> None:
        self.app, self.api = app, api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.takes(scope):
            await self.app(scope, receive, send)
            return
        # What the router would have set: the access log and metrics label by route.
        scope["route"] = self.api.route
        try:
            response = await self.api.answer(Request(scope, receive))
        except HTTPException as error:  # as FastAPI's own handler answers it
            response = JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        await response(scope, receive, send)

    def takes(self, scope: Scope) -> bool:
        """Whether the lane answers this request itself (a POST to the endpoint's path)."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        path: str = scope["path"]
        return path.removeprefix(scope.get("root_path", "")) == self.api.path


class NodeApp(FastAPI):
    """The node's FastAPI application, whose GraphQL POSTs skip FastAPI's own layers.

    Until `open_lane` it is FastAPI. After it, a request the lane takes goes to `entry`
    (the node's middleware around the lane, `install_middleware`); every other request
    goes through FastAPI as before, the same node middleware included.
    """

    _entry: ASGIApp | None = None
    _lane: GraphQLLane | None = None

    def open_lane(self, entry: ASGIApp, lane: GraphQLLane) -> None:
        """Send the requests `lane` takes to `entry`, which must end in `lane`."""
        self._entry, self._lane = entry, lane

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.middleware_stack is None:
            # As Starlette builds it on the first call: building it builds the node's
            # chain, which opens the lane.
            self.middleware_stack = self.build_middleware_stack()
        lane, entry = self._lane, self._entry
        if lane is not None and entry is not None and lane.takes(scope):
            scope["app"] = self  # as Starlette sets it for its own requests
            await entry(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
