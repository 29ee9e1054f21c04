"""The node's own app serves the log's key and checkpoint to anyone, the rest of the feed
to auditors and admins, private to each, and public entries to anonymous callers where
the node serves them (FEED-PROTOCOL §4-§5)."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import httpx

from coordination.audit.keys import keys_dir
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.asgi import serving

FEED = "/federation/v1"


async def signed(client: httpx.AsyncClient, timeout: float = 30.0) -> httpx.Response:
    """The node's first checkpoint, once its integrator has signed it."""
    deadline = time.monotonic() + timeout
    while (response := await client.get(f"{FEED}/checkpoint")).status_code == 503:
        assert time.monotonic() < deadline, "no checkpoint signed in time"
        await asyncio.sleep(0.05)  # polling a condition with a deadline
    return response


async def test_the_feed_needs_a_token_where_anonymous_callers_are_not_served(
    settings: Settings, system: System
) -> None:
    load_demo(system.app, origin=settings.origin)
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    auditor = issue_token(keys, role="auditor", person=uuid4())
    representative = issue_token(keys, role="representative", person=uuid4(), org=uuid4())
    closed = settings.model_copy(update={"allow_anonymous": False})
    async with serving(create_app(closed, system=system)) as client:
        await signed(client)
        missing = await client.get(f"{FEED}/entries")
        assert missing.status_code == 401
        assert "Authorization: Bearer" in missing.json()["detail"]
        # RFC 9110: a 401 says how to authenticate; RFC 9421: what to sign.
        assert missing.headers["www-authenticate"] == 'Bearer realm="coordination feed"'
        assert '("@method" "@target-uri");created' in missing.headers["accept-signature"]
        forged = await client.get(f"{FEED}/entries", headers={"Authorization": "Bearer x.y.z"})
        assert forged.status_code == 401
        refused = await client.get(
            f"{FEED}/proof/consistency?from=0&to=1",
            headers={"Authorization": f"Bearer {representative}"},
        )
        assert refused.status_code == 403
        assert "representative role may not read the feed" in refused.json()["detail"]
        page = await client.get(
            f"{FEED}/entries?start=0&limit=1", headers={"Authorization": f"Bearer {auditor}"}
        )
        assert page.status_code == 200
        assert page.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert page.headers["vary"] == "Authorization, Signature, Signature-Input"


async def test_anonymous_callers_see_public_entries_and_stubs(
    settings: Settings, system: System
) -> None:
    load_demo(system.app, origin=settings.origin)
    async with serving(create_app(settings, system=system)) as client:
        size = int((await signed(client)).text.split("\n")[1])
        page = await client.get(f"{FEED}/entries?start=0&limit=1000")
        assert page.status_code == 200
        entries = page.json()["entries"]
        assert len(entries) == min(size, 1000)
        shown = [e["event"] for e in entries if e["event"] is not None]
        assert shown
        assert {event["audience"] for event in shown} == {"public"}
        assert any(e["event"] is None for e in entries)
        # What it shows is what anyone may see, so a shared cache may keep it.
        assert page.headers["cache-control"].startswith("public, ")
        # A credential that is sent and fails is refused, never read as anonymous.
        forged = await client.get(f"{FEED}/entries", headers={"Authorization": "Bearer x.y.z"})
        assert forged.status_code == 401


async def test_the_key_and_the_checkpoint_are_public(settings: Settings, system: System) -> None:
    load_demo(system.app, origin=settings.origin)
    async with serving(create_app(settings, system=system)) as client:
        checkpoint = await signed(client)
        assert checkpoint.status_code == 200
        assert checkpoint.text.startswith(settings.origin + "\n")
        assert checkpoint.headers["cache-control"] == "public, no-cache"
        # A token is not looked at, so a bad one is no reason to refuse.
        for headers in ({}, {"Authorization": "Bearer x.y.z"}):
            key = await client.get(f"{FEED}/key", headers=headers)
            assert key.status_code == 200
            assert key.text.startswith(settings.origin + "+")
            assert key.headers["cache-control"] == "public, max-age=300"
        head = await client.head(f"{FEED}/checkpoint")
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["etag"] == checkpoint.headers["etag"]
