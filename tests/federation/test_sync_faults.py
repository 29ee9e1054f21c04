"""A peer's faults, one test each, over real HTTP (uvicorn): the peer B is a real node behind
a proxy that misbehaves on demand (its public URL, so partners' signatures still check).
Each fault is handled as FEED-PROTOCOL §6 says: nothing unverified stored, nothing stored
twice, nothing earlier lost, and the reason recorded."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from coordination.audit.checkpoint import Checkpoint, sign_checkpoint
from coordination.audit.compact_range import CompactRange
from coordination.audit.keys import keys_dir, load_or_create_signer
from coordination.audit.note import Signer
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.domain.peer_log import peer_log_id
from coordination.federation.peer_client import Peer, PeerClient
from coordination.federation.sync_step import PeerSync, SyncReport
from coordination.federation.synced_logs import (
    BACKING_OFF,
    CONFLICT,
    KEY_REFUSED,
    UP_TO_DATE,
)
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import fill_events, serve

from .sync_support import (
    Proxy,
    introduce,
    node_settings,
    running,
    served_checkpoint,
    sync_of,
    sync_until_up_to_date,
)


@dataclass
class Pair:
    """Node A syncing node B through B's proxy."""

    a: Settings
    system_a: System
    sync: PeerSync
    b: Settings
    system_b: System
    proxy: Proxy
    peer: Peer
    url_b: str
    url_a: str

    async def step(self, page_limit: int | None = None, timeout: float = 10) -> SyncReport:
        if page_limit is not None:
            self.sync.page_limit = page_limit
        async with httpx.AsyncClient(timeout=timeout) as client:
            reader = PeerClient(self.peer, load_or_create_signer(self.a), client)
            return await self.sync.sync_once(reader)

    async def up_to_date(self) -> SyncReport:
        return await sync_until_up_to_date(self.sync, self.a, self.peer, self.system_b, self.url_b)

    def stored(self) -> list[Any]:
        return self.sync.logs.entries(self.b.origin, 0, 100_000)

    def events(self, name: str) -> list[Any]:
        found = self.system_a.app.events.get(peer_log_id(self.b.origin))
        return [e for e in found if type(e).__name__ == name]


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    proxy = Proxy("")
    with serve(proxy.app()) as proxy_url:
        a = node_settings(tmp_path, "a")
        b = node_settings(tmp_path, "b", public_url=proxy_url)
        with running(a) as (app_a, url_a, system_a), running(b) as (_, url_b, system_b):
            proxy.upstream = url_b
            introduce(system_a, [(b, proxy_url)])
            introduce(system_b, [(a, url_a)])
            load_demo(system_b.app, origin=b.origin)
            peer = Peer(b.origin, proxy_url)
            sync = sync_of(app_a, system_a)
            yield Pair(a, system_a, sync, b, system_b, proxy, peer, url_b, url_a)


def contiguous(pair: Pair) -> list[int]:
    indexes = [e.index for e in pair.stored()]
    assert indexes == list(range(len(indexes))), "stored entries are contiguous from 0"
    return indexes


async def test_a_peer_down_is_retried_and_synced_once_back(pair: Pair) -> None:
    pair.proxy.mode = "down"
    report = await pair.step()
    assert report.state == BACKING_OFF
    assert "answered 503" in (report.error or "")
    assert pair.stored() == []
    pair.proxy.mode = "pass"
    report = await pair.up_to_date()
    assert report.error is None
    assert len(contiguous(pair)) == report.size


async def test_a_slow_peer_times_out(pair: Pair) -> None:
    pair.proxy.mode = "slow"
    report = await pair.step(timeout=0.5)
    assert report.state == BACKING_OFF
    assert "timed out" in (report.error or "")
    pair.proxy.mode = "pass"
    assert (await pair.up_to_date()).state == UP_TO_DATE


async def test_garbage_is_refused(pair: Pair) -> None:
    await pair.up_to_date()  # a verified checkpoint first: then the pages are garbage
    before = len(pair.stored())
    fill_events(pair.system_b.app, 30)
    await until_served_beyond(pair, before)
    pair.proxy.mode = "garbage"
    report = await pair.step()
    assert report.state == BACKING_OFF
    assert "malformed" in (report.error or "") or "no text/plain" in (report.error or "")
    assert len(contiguous(pair)) == before


async def test_a_page_cut_short_is_refused_whole(pair: Pair) -> None:
    await pair.up_to_date()
    size = (await served_checkpoint(pair.url_b)).size
    pair.proxy.mode = "cut"
    fill_events(pair.system_b.app, 30)
    await until_served_beyond(pair, size)
    report = await pair.step()
    assert "malformed JSON" in (report.error or "")
    assert len(contiguous(pair)) == size
    pair.proxy.mode = "pass"
    report = await pair.up_to_date()
    assert len(contiguous(pair)) == report.size


async def test_pages_shorter_than_asked_for_verify_against_their_own_end(pair: Pair) -> None:
    # Each page's consistency proof is asked for beside the page, from the end asked for;
    # a page that stops short must be checked with a proof from where it does stop.
    pair.proxy.mode = "short"
    pair.sync.page_limit = 40
    report = await pair.up_to_date()
    assert report.error is None
    assert len(contiguous(pair)) == report.size
    assert pair.proxy.pages > report.size // 20, "the pages were cut to half a page"
    assert CompactRange().extended(e.leaf_hash for e in pair.stored()).root() == (
        pair.sync.logs.state(pair.b.origin).root  # type: ignore[union-attr]
    )


async def test_a_rewritten_entry_is_refused_and_nothing_of_its_page_stored(pair: Pair) -> None:
    # Its first entries record the agreement (`transnational`, the ones the proxy alters):
    # wait for a checkpoint that holds them, or the step finds nothing to sync.
    await until_served_whole(pair)
    pair.proxy.mode = "rewrite"
    report = await pair.step()
    assert report.state == BACKING_OFF
    assert "do not hash to its leaf hash" in (report.error or "")
    assert pair.stored() == []
    state = pair.sync.logs.state(pair.b.origin)
    assert state is not None
    assert state.last_error == report.error


async def test_an_inconsistent_checkpoint_is_a_conflict_raising_the_alarm(pair: Pair) -> None:
    report = await pair.up_to_date()
    kept = pair.stored()
    signer = load_or_create_signer(pair.b)  # the peer itself signs another history
    forged = Checkpoint(pair.b.origin, report.size + 3, b"\x07" * 32)
    pair.proxy.checkpoint = sign_checkpoint(forged, signer)
    pair.proxy.proof = [base64.b64encode(b"\x08" * 32).decode()] * 3
    conflict = await pair.step()
    assert conflict.state == CONFLICT
    assert "not consistent" in (conflict.error or "")
    assert pair.stored() == kept  # earlier data kept
    (recorded,) = pair.events("HistoryConflict")
    assert (recorded.verified_size, recorded.conflicting_size) == (report.size, report.size + 3)
    # The peer is stopped: later steps ask it nothing and record nothing more.
    pair.proxy.mode = "down"
    again = await pair.step()
    assert again.state == CONFLICT
    assert len(pair.events("HistoryConflict")) == 1
    # The alarm: the partner's state in GraphQL, a /ready detail (the node stays ready),
    # the metric.
    keys = TokenKeys.load_or_create(keys_dir(pair.a), pair.a.origin)
    token = issue_token(keys, role="admin", person=uuid4())
    query = "{ partners { origin sync { state cursor lastError verified { size } } } }"
    async with httpx.AsyncClient(base_url=pair.url_a) as client:
        answer = await client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
        (partner,) = answer.json()["data"]["partners"]
        assert partner["sync"]["state"] == "CONFLICT"
        assert partner["sync"]["cursor"] == len(kept)
        assert partner["sync"]["verified"]["size"] == report.size
        assert "not consistent" in partner["sync"]["lastError"]
        ready = await client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["peers_in_conflict"] == [pair.b.origin]
        metrics = (await client.get("/metrics")).text
        line = f'coordination_peer_sync_state{{origin="{pair.b.origin}",state="conflict"}} 1.0'
        assert line in metrics


async def test_partner_status_in_graphql_follows_each_step_while_the_views_stand_still(
    pair: Pair,
) -> None:
    # A step stores pages and moves the cursor without recording anything in the node's
    # own log: the views' position (the result cache's key) stays where it was.
    keys = TokenKeys.load_or_create(keys_dir(pair.a), pair.a.origin)
    token = issue_token(keys, role="admin", person=uuid4())
    query = "{ partners { origin sync { state cursor lastError } } }"

    async def shown() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=pair.url_a) as client:
            answer = await client.post(
                "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
            )
        (partner,) = answer.json()["data"]["partners"]
        found: dict[str, Any] | None = partner["sync"]
        return found

    pair.proxy.mode = "down"
    down = await pair.step()
    assert down.state == BACKING_OFF
    assert (await shown()) == {"state": "BACKING_OFF", "cursor": 0, "lastError": down.error}
    pair.proxy.mode, pair.proxy.fail_after = "pass", 2
    part = await pair.step(page_limit=5)
    assert part.cursor == 10
    assert (await shown()) == {"state": "BACKING_OFF", "cursor": 10, "lastError": part.error}
    assert part.error != down.error


async def test_a_checkpoint_whose_signature_fails_is_refused(pair: Pair) -> None:
    forger = Signer.generate(pair.b.origin)  # the peer's name, not its key
    pair.proxy.checkpoint = sign_checkpoint(Checkpoint(pair.b.origin, 2, b"\x01" * 32), forger)
    report = await pair.step()
    assert report.state == KEY_REFUSED
    assert "does not verify" in (report.error or "")
    assert pair.stored() == []


async def test_a_key_rotated_mid_sync(pair: Pair) -> None:
    await until_served_whole(pair)  # so that the sync stops mid-way, not at the head
    pair.proxy.fail_after = 2
    await pair.step(page_limit=50)
    cursor = len(contiguous(pair))
    assert 0 < cursor < (await served_checkpoint(pair.url_b)).size
    # The peer rotates its log key; our registry records the new one.
    new_key = Signer.generate(pair.b.origin)
    ctx = Context(actor="operator:test", origin=pair.a.origin)
    pair.system_a.app.rotate_partner_key(ctx, origin=pair.b.origin, vkey=new_key.verifier.vkey)
    pair.proxy.fail_after = None
    old = await pair.step()  # still signed by the old key: no longer valid
    assert old.state == KEY_REFUSED
    assert len(contiguous(pair)) == cursor
    served = await served_checkpoint(pair.url_b)
    pair.proxy.checkpoint = sign_checkpoint(served, new_key)
    report = await pair.step()
    assert report.state == UP_TO_DATE
    assert len(contiguous(pair)) == served.size


async def test_a_revoked_key_verifies_nothing_after(pair: Pair) -> None:
    report = await pair.up_to_date()
    kept = pair.stored()
    app, ctx = pair.system_a.app, Context(actor="operator:test", origin=pair.a.origin)
    key_id = app.cooperation_agreement().current_key(pair.b.origin).key_id  # type: ignore[union-attr]
    app.revoke_partner_key(ctx, origin=pair.b.origin, key_id=key_id, reason="compromised")
    fill_events(pair.system_b.app, 30)
    await until_served_beyond(pair, report.size)
    refused = await pair.step()
    assert refused.state == KEY_REFUSED
    assert "no key" in (refused.error or "")
    assert pair.stored() == kept


async def until_served_beyond(pair: Pair, size: int) -> None:
    from .sync_support import until

    async def grown() -> bool:
        return (await served_checkpoint(pair.url_b)).size > size

    await until(grown, f"the peer serves a checkpoint beyond {size}")


async def until_served_whole(pair: Pair) -> None:
    """Until the peer serves a checkpoint of every event it recorded (the demo's too)."""
    from .sync_support import until

    recorded = pair.system_b.app.recorder.max_notification_id() or 0

    async def whole() -> bool:
        return (await served_checkpoint(pair.url_b)).size >= recorded

    await until(whole, f"the peer serves a checkpoint of its {recorded} events")


class CrashBeforeRecording:
    """The node's records, but the process "dies" when it would record the checkpoint
    witnessed (after the last page and the cursor were stored)."""

    def __init__(self, records: Any) -> None:
        self.records = records

    def __getattr__(self, name: str) -> Any:
        return getattr(self.records, name)

    def witness(self, *args: Any) -> None:
        raise RuntimeError("killed between storing and recording")


async def test_a_crash_between_storing_and_recording_records_once(pair: Pair) -> None:
    events = pair.system_b.app.recorder.max_notification_id() or 0
    await until_served_beyond(pair, events - 1)  # the peer's log stays as it is
    records = pair.sync.records
    pair.sync.records = CrashBeforeRecording(records)
    deadline = time.monotonic() + 60
    while True:  # until the registry's view on the peer knows our key
        try:
            await pair.step()
        except RuntimeError:
            break
        assert time.monotonic() < deadline, "never reached the checkpoint"
        await asyncio.sleep(0.1)  # polling a condition with a deadline
    state = pair.sync.logs.state(pair.b.origin)
    assert state is not None
    assert state.cursor == state.size
    assert pair.events("CheckpointWitnessed") == []
    pair.sync.records = records
    report = await pair.step()
    assert report.witnessed
    await pair.step()
    assert [e.size for e in pair.events("CheckpointWitnessed")] == [state.size]
