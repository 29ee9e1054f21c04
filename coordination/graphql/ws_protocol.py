"""`CheckedTransportWS`: graphql-transport-ws messages of the wrong shape close the socket
with 4400, as the protocol asks, instead of failing inside strawberry.

strawberry's handler answers a message without a `type` or `id` with 4400, but reads the
fields it finds without checking their kinds: a `subscribe` whose payload is text or a
list, or whose id is a list, failed with a TypeError that dropped the connection with no
close code and logged an unexpected error. Each message is checked against the
protocol's shapes first (ids are strings; a subscribe payload is an object with a text
`query`, and optional object `variables` and `extensions` and text `operationName`;
other payloads are objects). A `connection_init` whose payload is null, which the
protocol allows, is passed on without it: strawberry closed such a connection with 4400.
A `subscribe` whose document has several operations and names none is answered with an
error, as over HTTP: strawberry ran the first; so is one that arrives while the node's
database is unavailable (UNAVAILABLE, as over HTTP: `outage`).

`TextFrames` sends every message as a text frame, as the protocol's messages are text:
the view's JSON encoder gives bytes (fast over HTTP), which strawberry sent as binary
frames, and standard clients refused them (Python's `gql`) or got Blobs (browsers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLFormattedError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage

from coordination.graphql import outage, pipeline
from coordination.graphql.context import GraphQLContext
from coordination.graphql.document_checks import DocumentChecks

MALFORMED = "Failed to parse message"  # strawberry's own words for a message it cannot read


class TextFrames(ASGIWebSocketAdapter):
    """strawberry's WebSocket adapter, sending each message as a text frame."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


class CheckedTransportWS(BaseGraphQLTransportWSHandler[GraphQLContext, None]):
    """strawberry's graphql-transport-ws handler, shown only well-shaped messages."""

    async def handle_message(self, message: Any) -> None:
        if not well_formed(message):
            await self.handle_invalid_message(MALFORMED)
            return
        if message.get("type") == "connection_init" and message.get("payload", {}) is None:
            # The protocol lets the payload be null (a client whose connection parameters
            # are null sends that); strawberry closed such a connection with 4400.
            message = {key: value for key, value in message.items() if key != "payload"}
        if message.get("type") == "subscribe" and "id" in message and self.connection_acknowledged:
            error = self._refusal(message["payload"])
            if error is not None:
                refusal = ErrorMessage(id=message["id"], type="error", payload=[error])
                await self.send_message(refusal)
                return
        await super().handle_message(message)

    def _refusal(self, payload: dict[str, Any]) -> GraphQLFormattedError | None:
        """The error a subscribe is answered with instead of being run; None: it runs."""
        refused = self._unnamed_among_several(payload)
        if refused is not None:
            return {"message": refused, "extensions": {"code": "BAD_REQUEST"}}
        if outage.database_down(getattr(getattr(self.view, "api", None), "services", None)):
            return outage.formatted()
        return None

    def _unnamed_among_several(self, payload: dict[str, Any]) -> str | None:
        """Why a subscribe may not run, as over HTTP (`pipeline`); None if it may."""
        checks = getattr(self.schema, "checks", None)
        if not isinstance(checks, DocumentChecks):
            return None
        return pipeline.unnamed_among_several(
            checks, payload.get("query"), payload.get("operationName")
        )


def well_formed(message: Any) -> bool:
    """Whether the fields `message` has are of the kinds graphql-transport-ws gives them
    (missing ones are strawberry's to refuse)."""
    if not isinstance(message, dict) or not isinstance(message.get("type", ""), str):
        return False
    if not isinstance(message.get("id", ""), str):
        return False
    payload = message.get("payload")
    if message.get("type") != "subscribe":
        return payload is None or isinstance(payload, dict)
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("query", ""), str)
        and isinstance(payload.get("operationName") or "", str)
        and isinstance(payload.get("variables") or {}, dict)
        and isinstance(payload.get("extensions") or {}, dict)
    )
