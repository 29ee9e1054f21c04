"""Request hardening that sits in front of GraphQL: the request body size limit.

Query depth, alias and token limits are strawberry extensions (see `schema.py`); this
is the one limit that must act before the body is read at all.
"""

from __future__ import annotations

from typing import ClassVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coordination.graphql.request_json import error_document


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413 and a GraphQL-shaped error.

    A declared Content-Length over the limit is refused before anything is read; a
    chunked body is counted as it arrives and cut off once it passes the limit.

    A declared Content-Length within the limit needs no counting: the HTTP server reads
    exactly that many bytes as the body, so the request goes on unwrapped. (Wrapping
    `receive` and `send` for every request cost a measurable part of a write's time in
    the server: docs/performance.md.)
    """

    DEFAULT_MAX_BYTES: ClassVar[int] = 1_000_000

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_bytes:
                await self._refuse(send)
                return
            if b"transfer-encoding" not in headers:
                await self.app(scope, receive, send)
                return
        received = 0
        refused = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not refused:
                    refused = True
                    if not response_started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return  # the 413 answer has been sent; the app's own answer is dropped
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, send: Send) -> None:
        body = error_document(
            f"the request body is larger than {self.max_bytes} bytes", "PAYLOAD_TOO_LARGE"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
