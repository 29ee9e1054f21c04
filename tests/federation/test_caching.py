"""Who may keep which answer of the feed (FEED-PROTOCOL §4, decision 37).

Pages were `public, immutable` whoever asked, so a shared cache could hand one caller's
page (showing what that caller may see) to another, or to a caller without a token; the
key was `no-cache` though it changes only when an operator rotates it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request

from coordination.federation.router import feed_router

from .support import FEED, VARY, Node, client_for

IMMUTABLE = "max-age=31536000, immutable"
AUDITOR = {"Authorization": "Bearer auditor"}


@pytest.fixture
async def auditor(node: Node) -> AsyncIterator[httpx.AsyncClient]:
    """A feed that lets in the bearer of the token `auditor`, and refuses anyone else."""

    def authorize(request: Request) -> str:
        if request.headers.get("authorization") != "Bearer auditor":
            raise HTTPException(401, "present the auditor's token")
        return "auditor"

    app = FastAPI()
    app.include_router(feed_router(lambda: node.log, authorize=authorize))
    async with client_for(app) as made:
        yield made


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [
        ("entries?start=0&limit=100", f"private, {IMMUTABLE}"),
        ("entries?start=200&limit=100", "private, no-cache"),
        ("entries?start=250", "private, no-cache"),
        ("proof/inclusion?index=3&size=250", f"private, {IMMUTABLE}"),
        ("proof/consistency?from=150&to=250", f"private, {IMMUTABLE}"),
    ],
)
async def test_what_an_authenticated_caller_is_shown_is_private_to_it(
    auditor: httpx.AsyncClient, path: str, cache_control: str
) -> None:
    response = await auditor.get(f"{FEED}/{path}", headers=AUDITOR)
    assert response.status_code == 200
    assert response.headers["cache-control"] == cache_control
    assert response.headers["vary"] == VARY
    # A 304 carries what the 200 would have (RFC 9110 §15.4.5).
    again = await auditor.get(
        f"{FEED}/{path}", headers={**AUDITOR, "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == cache_control
    assert again.headers["vary"] == VARY


async def test_what_an_anonymous_caller_is_shown_may_be_public(
    client: httpx.AsyncClient,
) -> None:
    below = await client.get(f"{FEED}/entries?start=0&limit=100")
    assert below.headers["cache-control"] == f"public, {IMMUTABLE}"
    head = await client.get(f"{FEED}/entries?start=200")
    assert head.headers["cache-control"] == "public, no-cache"
    # Still varies with who asks: a caller with a token may see more.
    assert below.headers["vary"] == head.headers["vary"] == VARY


async def test_the_key_and_the_checkpoint_are_public_and_ignore_any_credentials(
    auditor: httpx.AsyncClient,
) -> None:
    for credentials in ({}, {"Authorization": "Bearer forged"}, {"Signature": "sig1=:AAAA:"}):
        key = await auditor.get(f"{FEED}/key", headers=credentials)
        assert key.status_code == 200
        assert key.headers["cache-control"] == "public, max-age=300"
        checkpoint = await auditor.get(f"{FEED}/checkpoint", headers=credentials)
        assert checkpoint.status_code == 200
        assert checkpoint.headers["cache-control"] == "public, no-cache"
        # The same for everyone: nothing to vary by.
        assert "vary" not in key.headers
        assert "vary" not in checkpoint.headers
    assert (await auditor.get(f"{FEED}/entries")).status_code == 401
