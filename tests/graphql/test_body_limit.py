"""The body size limit on the ASGI messages a server hands it: declared and chunked."""

from __future__ import annotations

import json

from starlette.types import Message, Receive, Scope, Send

from coordination.http.body_limit import BodySizeLimit

LIMIT = 100


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body and answers with how many bytes it had."""
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def call(headers: list[tuple[bytes, bytes]], parts: list[bytes]) -> list[Message]:
    scope: Scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": headers}
    incoming = [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await BodySizeLimit(echo, max_bytes=LIMIT)(scope, receive, send)
    return sent


def answer(sent: list[Message]) -> tuple[int, bytes]:
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


async def test_a_declared_body_within_the_limit_reaches_the_app_whole() -> None:
    status, body = answer(await call([(b"content-length", b"90")], [b"x" * 40, b"y" * 50]))
    assert (status, body) == (200, b"90")


async def test_a_declared_body_over_the_limit_is_refused_unread() -> None:
    status, body = answer(await call([(b"content-length", b"101")], [b"x" * 101]))
    assert status == 413
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit() -> None:
    sent = await call([(b"transfer-encoding", b"chunked")], [b"x" * 60, b"y" * 60, b"z" * 60])
    status, body = answer(sent)
    assert status == 413, "the app's own answer must be dropped"
    assert b"than 100 bytes" in body
    assert len([m for m in sent if m["type"] == "http.response.start"]) == 1


async def test_a_chunked_body_within_the_limit_reaches_the_app_whole() -> None:
    headers = [(b"transfer-encoding", b"chunked")]
    assert answer(await call(headers, [b"x" * 50, b"y" * 50])) == (200, b"100")


async def test_a_length_beside_chunked_encoding_is_still_counted() -> None:
    # Servers that accept both let the chunked framing win: the length proves nothing.
    headers = [(b"content-length", b"10"), (b"transfer-encoding", b"chunked")]
    assert answer(await call(headers, [b"x" * 80, b"y" * 80]))[0] == 413
