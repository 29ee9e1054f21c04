"""A partner reads a node over real HTTP (uvicorn on a free port), on both backends: it
verifies the whole tree while the bytes it received hold nothing but `public` and
`transnational` content, and it follows the log over Server-Sent Events, resuming from
`Last-Event-ID`."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from coordination.audit.canonical import canonical_json
from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.merkle import leaf_hash, root_hash
from coordination.audit.note import Signer, Verifier
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import execute, serve

from .partner_support import BOTH, FEED, IT, NL, record_partners, signed, until_status

AUDIENCE = re.compile(rb'"audience":"([^"]*)"')


@pytest.fixture
def it_key() -> Signer:
    return Signer.generate(IT)


@pytest.fixture
async def node(settings: Settings, system: System, it_key: Signer) -> AsyncIterator[str]:
    """The node served by uvicorn, with the demo partnership and its partners; its URL."""
    load_demo(system.app, origin=settings.origin)
    record_partners(system, settings.origin, it_key)
    with serve(create_app(settings, system=system)) as url:
        yield url


async def test_a_partner_verifies_the_whole_tree_seeing_only_what_it_may(
    node: str, system: System, settings: Settings, it_key: Signer
) -> None:
    received = bytearray()
    async with httpx.AsyncClient(base_url=node) as client:
        verifier = Verifier.from_vkey((await client.get(f"{FEED}/key")).text)
        first = f"{FEED}/entries?start=0&limit=1000"
        page = await until_status(
            lambda: client.get(first, headers=signed(it_key, node, first)), 200
        )
        entries: list[dict[str, object]] = []
        while True:
            received += page.content
            body = page.json()
            entries += body["entries"]
            if body["next"] is None:
                break
            path = body["next"]
            page = await client.get(path, headers=signed(it_key, node, path))
            assert page.status_code == 200, page.text

    checkpoint = open_checkpoint(body["checkpoint"], verifier, origin=settings.origin)
    assert [e["index"] for e in entries] == list(range(checkpoint.size))
    hashes = [base64.b64decode(str(e["leaf_hash"])) for e in entries]
    assert root_hash(hashes) == checkpoint.root_hash
    for entry, expected in zip(entries, hashes, strict=True):
        if entry["event"] is not None:
            assert leaf_hash(canonical_json(entry["event"])) == expected

    # Nothing it may not see reached it, in any byte; what it may see, it saw.
    assert set(AUDIENCE.findall(bytes(received))) == {b"public", b"transnational"}
    stored = {row[0] for row in execute(system, "SELECT DISTINCT audience FROM log_entries")}
    assert stored - set(BOTH), "the log must hold entries the partner may not see"
    hidden = sum(1 for e in entries if e["event"] is None)
    assert hidden == sum(
        1
        for (audience,) in execute(
            system, f"SELECT audience FROM log_entries WHERE idx < {checkpoint.size}"
        )
        if audience not in BOTH
    )


async def messages(response: httpx.Response) -> AsyncIterator[tuple[str, str, str]]:
    """The stream's events as (event, id, data)."""
    event, ident, data = "message", "", []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield event, ident, "\n".join(data)
            event, ident, data = "message", "", []
        elif line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("id: "):
            ident = line.removeprefix("id: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))


async def test_a_partner_follows_the_stream_and_resumes_where_it_stopped(
    node: str, system: System, settings: Settings, it_key: Signer
) -> None:
    path = f"{FEED}/stream?start=0"
    async with httpx.AsyncClient(base_url=node, timeout=30) as client:
        await until_status(
            lambda: client.get(f"{FEED}/entries", headers=signed(it_key, node, f"{FEED}/entries")),
            200,
        )
        ids: list[int] = []
        async with client.stream("GET", path, headers=signed(it_key, node, path)) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for event, ident, data in messages(response):
                if event == "checkpoint":
                    size = int(data.split("\n")[1])
                    break
                entry = json.loads(data)
                assert entry["index"] == int(ident)
                ids.append(int(ident))
        assert ids == list(range(size))

        resumed_at = size // 2
        headers = {"Last-Event-ID": str(resumed_at), **signed(it_key, node, path)}
        async with client.stream("GET", path, headers=headers) as response:
            stream = messages(response)
            _, ident, _ = await anext(stream)
            assert int(ident) == resumed_at + 1
            # The stream follows the log: an event recorded now arrives on it.
            ctx = Context(actor="operator:test", origin=settings.origin)
            parties = [(IT, BOTH), (NL, BOTH), ("fi.example/coordination/log", BOTH)]
            system.app.amend_cooperation_agreement(
                ctx, summary="Finland joins", document_hash="b" * 64, parties=parties
            )
            async with asyncio.timeout(20):
                async for event, _, data in stream:
                    if event == "message" and "Finland joins" in data:
                        assert json.loads(data)["event"]["audience"] == "transnational"
                        break
