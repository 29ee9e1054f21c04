"""Partners read the feed with RFC 9421 signatures (FEED-PROTOCOL §5), on both backends:
each refusal is a 401 problem naming why, malformed parameters 400 problems, and what a
partner may not see reaches it as leaf hashes only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from coordination.audit.note import Signer
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.asgi import serving

from .partner_support import FEED, IT, NL_KEY, record_partners, signed, until_status

BASE = "http://node"
PAGE = f"{FEED}/entries?start=0&limit=10"


@pytest.fixture
def it_key() -> Signer:
    return Signer.generate(IT)


@pytest.fixture
def node(settings: Settings, system: System, it_key: Signer) -> Settings:
    """A node with the demo partnership and two partners, serving no anonymous caller."""
    load_demo(system.app, origin=settings.origin)
    record_partners(system, settings.origin, it_key)
    return settings.model_copy(update={"allow_anonymous": False})


async def refusal(client: httpx.AsyncClient, headers: dict[str, str], path: str = PAGE) -> str:
    response = await client.get(path, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "accept-signature" in response.headers
    detail: str = response.json()["detail"]
    return detail


async def test_a_partner_is_let_in_by_its_signature_and_nothing_else(
    node: Settings, system: System, it_key: Signer
) -> None:
    async with serving(create_app(node, system=system)) as client:
        ok = await until_status(lambda: client.get(PAGE, headers=signed(it_key, BASE, PAGE)), 200)
        assert ok.headers["cache-control"] == "private, max-age=31536000, immutable"
        # The key of the independent implementation's vectors signs as well as ours.
        assert (await client.get(PAGE, headers=signed(NL_KEY, BASE, PAGE))).status_code == 200

        assert "needs an auditor's or admin's token" in await refusal(client, {})
        stranger = Signer.generate(IT)  # named like Italy, but not its registered key
        assert "does not verify" in await refusal(client, signed(stranger, BASE, PAGE))
        unknown = Signer.generate("fi.example/coordination/log")
        assert "not an admitted partner" in await refusal(client, signed(unknown, BASE, PAGE))
        other_node = signed(it_key, "https://elsewhere.example", PAGE)
        assert "does not verify" in await refusal(client, other_node)
        other_page = signed(it_key, BASE, f"{FEED}/entries?start=0&limit=11")
        assert "does not verify" in await refusal(client, other_page)
        old = datetime.now(UTC) - timedelta(seconds=301)
        assert "older than 300 s" in await refusal(client, signed(it_key, BASE, PAGE, created=old))
        ahead = datetime.now(UTC) + timedelta(seconds=60)
        assert "in the future" in await refusal(client, signed(it_key, BASE, PAGE, created=ahead))
        once = signed(it_key, BASE, PAGE)
        assert (await client.get(PAGE, headers=once)).status_code == 200
        assert "used before" in await refusal(client, once)
        two = signed(it_key, BASE, PAGE)
        two["Signature-Input"] += ", " + two["Signature-Input"].replace("pyhms=", "b=")
        assert "send one signature, not 2" in await refusal(client, two)
        broken = {"Signature-Input": "sig1=(", "Signature": "sig1=:AA==:"}
        assert "not a structured dictionary" in await refusal(client, broken)


async def test_a_revoked_or_rotated_out_key_is_refused(
    node: Settings, system: System, it_key: Signer
) -> None:
    async with serving(create_app(node, system=system)) as client:
        await until_status(lambda: client.get(PAGE, headers=signed(it_key, BASE, PAGE)), 200)
        ctx = Context(actor="operator:test", origin=node.origin)
        new_key = Signer.generate(IT)
        system.app.rotate_partner_key(ctx, origin=IT, vkey=new_key.verifier.vkey)
        # Signed with the old key after the rotation: no longer Italy's key at that time.
        await until_status(lambda: client.get(PAGE, headers=signed(it_key, BASE, PAGE)), 401)
        assert (await client.get(PAGE, headers=signed(new_key, BASE, PAGE))).status_code == 200
        system.app.revoke_partner_key(
            ctx, origin=IT, key_id=f"{new_key.verifier.key_id:08x}", reason="stolen"
        )
        refused = await until_status(
            lambda: client.get(PAGE, headers=signed(new_key, BASE, PAGE)), 401
        )
        assert "has no key valid at" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("path", "headers", "detail"),
    [
        (f"{FEED}/entries?start=x", {}, "start must be a non-negative whole number"),
        (f"{FEED}/entries?limit=0", {}, "limit must be from 1 to 1000"),
        (f"{FEED}/entries?start=1&start=2", {}, "given 2 times"),
        (f"{FEED}/proof/inclusion?index=0", {}, "'size' is required"),
        (f"{FEED}/stream?start=-1", {}, "start must be a non-negative whole number"),
        (f"{FEED}/stream", {"Last-Event-ID": "abc"}, "Last-Event-ID must be an entry's index"),
    ],
)
async def test_malformed_parameters_are_400_problems_for_a_partner(
    node: Settings, system: System, it_key: Signer, path: str, headers: dict[str, str], detail: str
) -> None:
    async with serving(create_app(node, system=system)) as client:
        await until_status(lambda: client.get(PAGE, headers=signed(it_key, BASE, PAGE)), 200)
        response = await client.get(path, headers={**headers, **signed(it_key, BASE, path)})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert detail in response.json()["detail"]


async def test_each_caller_has_its_own_rate_limit(
    node: Settings, system: System, it_key: Signer
) -> None:
    limited = node.model_copy(update={"feed_rate": 0.01, "feed_burst": 3, "allow_anonymous": True})
    async with serving(create_app(limited, system=system)) as client:
        await until_status(lambda: client.get(f"{FEED}/checkpoint"), 200)
        for _ in range(3):
            assert (await client.get(PAGE)).status_code == 200
        refused = await client.get(PAGE)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert "too many requests" in refused.json()["detail"]
        # The key and the checkpoint look at nobody, so they count for nobody.
        checkpoint = await client.get(f"{FEED}/checkpoint")
        assert checkpoint.status_code == 200, checkpoint.text
        # A partner draws on its own allowance, not on the anonymous callers'.
        await until_status(lambda: client.get(PAGE, headers=signed(it_key, BASE, PAGE)), 200)
