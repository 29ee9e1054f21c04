"""Nodes over real HTTP (uvicorn on free ports) sync each other's logs (FEED-PROTOCOL §6):
every entry verified against the peer's signed checkpoint and stored as served, the
checkpoint recorded witnessed once, and nothing a partner may not see reaching it."""

from __future__ import annotations

from pathlib import Path

import orjson

from coordination.audit.canonical import canonical_json
from coordination.audit.compact_range import CompactRange
from coordination.audit.merkle import leaf_hash
from coordination.domain.peer_log import peer_log_id
from coordination.federation.peer_client import Peer
from coordination.federation.synced_logs import UP_TO_DATE
from coordination.settings import Settings
from coordination_demo import load_demo

from .sync_support import (
    audit_of,
    introduce,
    node_settings,
    running,
    served_checkpoint,
    sync_of,
    sync_until_up_to_date,
    until,
)

PARTNER_AUDIENCES = {"public", "transnational"}


async def test_a_node_syncs_a_peer_it_may_see_part_of(settings: Settings, tmp_path: Path) -> None:
    b = node_settings(tmp_path, "b")
    a = settings.model_copy(update={"sync": False})
    with running(a) as (app_a, url_a, system_a), running(b) as (app_b, url_b, system_b):
        introduce(system_a, [(b, url_b)])
        introduce(system_b, [(a, url_a)])
        load_demo(system_b.app, origin=b.origin)
        sync = sync_of(app_a, system_a)
        peer = Peer(b.origin, url_b)
        report = await sync_until_up_to_date(sync, a, peer, system_b, url_b)
        head = await served_checkpoint(url_b)

        # Every entry of the peer's checkpoint is stored, each verifies, the tree is its.
        stored = sync.logs.entries(b.origin, 0, 100_000)
        assert [e.index for e in stored] == list(range(head.size))
        assert report.cursor == head.size == sync.logs.verified_size(b.origin)
        assert CompactRange().extended(e.leaf_hash for e in stored).root() == head.root_hash
        assert all(leaf_hash(e.envelope) == e.leaf_hash for e in stored if e.envelope)

        # What it may not see arrived as leaf hashes only: scan the stored bytes.
        own = audit_of(app_b).entries(0, head.size)
        hidden = [orjson.loads(e.entry) for e in own]
        hidden = [e for e in hidden if e["audience"] not in PARTNER_AUDIENCES]
        assert hidden, "the demo has entries a partner may not see"
        kept = b"".join(e.envelope or b"" for e in stored)
        for envelope in hidden:
            assert envelope["id"].encode() not in kept
            assert canonical_json(envelope["data"]) not in kept
        seen = [orjson.loads(e.envelope) for e in stored if e.envelope]
        assert seen
        assert {e["audience"] for e in seen} <= PARTNER_AUDIENCES
        assert len(seen) + len(hidden) == head.size
        first = seen[0]
        assert sync.logs.entry_by_event_id(b.origin, first["id"]).index == int(first["sequence"])

        # Each checkpoint reached is recorded witnessed once, in the node's own log,
        # whatever steps follow.
        for _ in range(2):
            await sync_until_up_to_date(sync, a, peer, system_b, url_b)
        head = await served_checkpoint(url_b)
        sizes = [
            e.size
            for e in system_a.app.events.get(peer_log_id(b.origin))
            if type(e).__name__ == "CheckpointWitnessed"
        ]
        assert sizes == sorted(set(sizes))
        assert sizes[-1] == head.size
        assert sync.logs.state(b.origin).state == UP_TO_DATE  # type: ignore[union-attr]


async def test_three_nodes_sync_each_other_with_their_workers(tmp_path: Path) -> None:
    names = ("se", "it", "gr")
    nodes = {n: node_settings(tmp_path, n, sync=True) for n in names}
    with (
        running(nodes["se"]) as se,
        running(nodes["it"]) as it,
        running(nodes["gr"]) as gr,
    ):
        served = dict(zip(names, (se, it, gr), strict=True))
        for name in names:
            others = [(nodes[o], served[o][1]) for o in names if o != name]
            introduce(served[name][2], others)
        load_demo(served["it"][2].app, origin=nodes["it"].origin)

        async def all_synced() -> bool:
            heads = {n: await served_checkpoint(served[n][1]) for n in names}
            for name in names:
                logs = sync_of(served[name][0], served[name][2]).logs
                for other in names:
                    if other == name:
                        continue
                    state = logs.state(nodes[other].origin)
                    events = served[other][2].app.recorder.max_notification_id() or 0
                    if state is None or heads[other].size < events:
                        return False
                    if (state.cursor, state.root) != (heads[other].size, heads[other].root_hash):
                        return False
            return True

        await until(all_synced, "every node synced to every other's head", timeout=90)
        it_origin = nodes["it"].origin
        copies = [
            sync_of(served[n][0], served[n][2]).logs.entries(it_origin, 0, 100_000)
            for n in ("se", "gr")
        ]
        assert copies[0] == copies[1]
        assert len(copies[0]) == (await served_checkpoint(served["it"][1])).size
