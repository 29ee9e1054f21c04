"""HEAD is answered wherever GET is (FEED-PROTOCOL §4): the same status and headers, no
body; errors included. It was 405 everywhere."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from coordination.federation.router import feed_router

from .support import FEED, Node, client_for

#: Content-Type, Content-Length (of the GET's body), ETag, Cache-Control, Vary, Allow,
#: WWW-Authenticate: every header but those that differ per response by design.
SAME = {"date", "x-request-id"}

PATHS = [
    "checkpoint",
    "key",
    "entries?start=0&limit=100",  # below the checkpoint: immutable
    "entries?start=200&limit=100",  # the head page
    "entries?start=250",  # an empty page at the head
    "proof/inclusion?index=3&size=250",
    "proof/consistency?from=150&to=250",
    # Errors: a bad parameter, beyond the log, another path.
    "entries?limit=0",
    "proof/inclusion?index=1&size=251",
    "nope",
]


def headers_of(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in SAME}


@pytest.mark.parametrize("path", PATHS)
async def test_head_has_the_gets_status_and_headers_and_no_body(
    client: httpx.AsyncClient, path: str
) -> None:
    got = await client.get(f"{FEED}/{path}")
    head = await client.head(f"{FEED}/{path}")
    assert head.status_code == got.status_code
    assert headers_of(head) == headers_of(got)
    assert head.headers["content-length"] == str(len(got.content))
    assert head.content == b""


async def test_head_of_an_etag_the_client_has_is_304(client: httpx.AsyncClient) -> None:
    for path in ("checkpoint", "key", "entries?start=0&limit=100"):
        etag = (await client.get(f"{FEED}/{path}")).headers["etag"]
        head = await client.head(f"{FEED}/{path}", headers={"If-None-Match": etag})
        assert head.status_code == 304
        assert head.headers["etag"] == etag
        assert head.content == b""


async def test_head_of_a_refusal_is_the_refusal(node: Node) -> None:
    def authorize() -> str:
        raise HTTPException(401, "present a bearer token", {"WWW-Authenticate": "Bearer"})

    app = FastAPI()
    app.include_router(feed_router(lambda: node.log, authorize=authorize))
    async with client_for(app) as client:
        got = await client.get(f"{FEED}/entries")
        head = await client.head(f"{FEED}/entries")
    assert head.status_code == got.status_code == 401
    assert head.headers["www-authenticate"] == "Bearer"
    assert head.headers["content-type"] == "application/problem+json"
    assert headers_of(head) == headers_of(got)
    assert head.content == b""


async def test_other_methods_are_refused_naming_get_and_head(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{FEED}/checkpoint")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "use GET or HEAD" in response.json()["detail"]
