"""Three `coordination serve` nodes (se and gr on SQLite, it on PostgreSQL), each with its
own data, keys and database, syncing each other with their own sync workers over real HTTP,
exactly once across a kill -9 of any of them mid-sync (issue 20, decision 45):

1. gr, the syncing node, killed while its store holds part of the pages of it, resumes from its
   cursor when started again;
2. it, the serving peer, killed while se is fetching its pages: se backs off, and
   completes once it is back;
3. then all three show the same verified checkpoints of each other over GraphQL, and every
   store holds each peer's entries once, with each checkpoint recorded witnessed once.

it holds many entries and the nodes ask small pages (`COORDINATION_SYNC_PAGE_SIZE`), so
each kill falls between two pages of a sync that has hundreds of pages still to go.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from coordination.audit.storage import open_storage
from coordination.bootstrap import bootstrap
from coordination.domain.context import Context
from coordination.domain.peer_log import peer_log_id
from coordination.federation.synced_logs import SyncedLogs
from coordination.settings import Settings
from infra.federation_nodes import (
    FEED,
    Node,
    free_port,
    graphql,
    plan,
    prepare,
    start,
    stop,
    wait_until,
)
from infra.federation_nodes import wait_ready as node_ready
from infra.federation_scenario import each, introduce, served_checkpoint

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

CODES = ["se", "it", "gr"]
#: Entries of the log of it beyond the introductions: pages enough that a kill falls mid-sync.
ENTRIES = 1200
PAGE_SIZE = 4
WAIT_S = 90.0
SYNC = "{ partners { origin sync { state cursor lastError verified { size root } } } }"


class TunedNode(Node):
    """A node asking small pages, never held back by its partners' rate limits, and
    retrying a partner that failed within a second."""

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "COORDINATION_SYNC_PAGE_SIZE": str(PAGE_SIZE),
            "COORDINATION_SYNC_BACKOFF_MAX_S": "1",
            "COORDINATION_SYNC_WAIT_S": "2",
            "COORDINATION_FEED_RATE": "100000",
            "COORDINATION_FEED_BURST": "1000000",
        }


def settings_of(node: Node) -> Settings:
    return Settings(
        database_url=node.database_url, data_dir=node.directory, origin=node.origin, env="test"
    )


def load(node: Node, count: int) -> None:
    """``count`` events in the node's store, before it serves."""
    system = bootstrap(settings_of(node))
    ctx = Context(actor="operator:test", origin=node.origin)
    try:
        for i in range(count):
            system.app.establish_partnership(
                ctx,
                name=f"Partnership {i}",
                programme="ESF+",
                region="Test",
                period_start=date(2026, 1, 1),
                period_end=date(2027, 12, 31),
            )
    finally:
        system.close()


def sync_of(node: Node, peer: Node) -> dict[str, Any] | None:
    """How ``node`` syncs ``peer``, as its GraphQL API shows it (None before it tried)."""
    partners = graphql(node, SYNC)["partners"]
    found: dict[str, Any] | None = next(p["sync"] for p in partners if p["origin"] == peer.origin)
    return found


def mid_sync(node: Node, peer: Node) -> bool:
    """Whether ``node`` has stored part, not all, of ``peer``'s verified checkpoint."""
    sync = sync_of(node, peer)
    return (
        sync is not None
        and sync["verified"] is not None
        and (0 < sync["cursor"] < sync["verified"]["size"])
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def stored(node: Node, peer: Node) -> tuple[int, int, list[int], list[int]]:
    """From ``node``'s store (read directly, as an auditor of its database would): its
    cursor of ``peer``, the verified size, the indexes of the stored entries, and the sizes
    of the checkpoints its own log records witnessed."""
    system = bootstrap(settings_of(node), create_tables=False)
    storage = open_storage(system.target, system.app)
    try:
        state = SyncedLogs(storage).state(peer.origin)
        assert state is not None
        indexes = [e.index for e in SyncedLogs(storage).entries(peer.origin, 0, 100_000)]
        witnessed = [
            e.size
            for e in system.app.events.get(peer_log_id(peer.origin))
            if type(e).__name__ == "CheckpointWitnessed"
        ]
        return state.cursor, state.size, indexes, witnessed
    finally:
        storage.close()
        system.close()


def head(node: Node) -> tuple[int, str]:
    """The size and root of the checkpoint ``node`` serves; (0, "") before its first."""
    note = served_checkpoint(node)
    if note is None:
        return 0, ""
    _origin, size, root = note.split("\n")[:3]
    return int(size), root


def views(nodes: list[Node]) -> dict[str, dict[str, tuple[int, str, str]]]:
    """What each node shows over GraphQL of each partner: the verified checkpoint's size
    and root, and the state."""
    shown: dict[str, dict[str, tuple[int, str, str]]] = {}
    for node in nodes:
        shown[node.code] = {}
        for partner in graphql(node, SYNC)["partners"]:
            sync = partner["sync"] or {"verified": None, "state": None, "cursor": -1}
            # None before a first checkpoint verified (a partner still down, say).
            verified = sync["verified"] or {"size": -1, "root": ""}
            assert sync["verified"] is None or sync["cursor"] <= verified["size"]
            shown[node.code][partner["origin"]] = (
                verified["size"] if sync["cursor"] == verified["size"] else -1,
                verified["root"],
                sync["state"],
            )
    return shown


def converged(nodes: list[Node]) -> bool:
    """Whether every node has verified and stored the checkpoint every other serves, and
    they stay so over a second look (each node's witness records grow its log a while)."""
    looks = []
    for _ in range(2):
        heads = {n.origin: head(n) for n in nodes}
        shown = views(nodes)
        for node in nodes:
            for peer in nodes:
                if peer is node:
                    continue
                size, root, state = shown[node.code][peer.origin]
                if (size, root, state) != (*heads[peer.origin], "UP_TO_DATE"):
                    return False
        looks.append(heads)
    return looks[0] == looks[1]


@pytest.fixture
def nodes(tmp_path: Path, postgres_schema_url: str) -> Iterator[list[Node]]:
    planned: list[Node] = [
        TunedNode(n.code, n.port, n.directory, n.database_url)
        for n in plan(tmp_path, CODES, [free_port() for _ in CODES], lambda _: postgres_schema_url)
    ]
    try:
        yield planned
    finally:
        for node in planned:
            stop(node)


def test_three_served_nodes_sync_exactly_once_across_kills_of_the_syncing_and_serving_nodes(
    nodes: list[Node],
) -> None:
    se, it, gr = nodes
    assert [n.backend for n in nodes] == ["SQLite", "PostgreSQL", "SQLite"]
    each(nodes, prepare)
    load(it, ENTRIES)
    processes = {node.code: start(node) for node in nodes}
    for node in nodes:
        node_ready(node, processes[node.code])
    wait_until("it signs its log", lambda: head(it)[0] >= ENTRIES, WAIT_S)
    introduce(nodes)

    # 1. The syncing node killed mid-page: its store holds part of the checkpoint of it.
    wait_until("gr stores part of the log of it", lambda: mid_sync(gr, it), WAIT_S)
    kill(processes["gr"])
    cursor, size, indexes, _ = stored(gr, it)
    assert 0 < cursor < size
    assert indexes == list(range(cursor))

    # 2. The serving peer killed while se fetches its pages: se backs off.
    wait_until("se stores part of the log of it", lambda: mid_sync(se, it), WAIT_S)
    kill(processes["it"])
    behind = sync_of(se, it)
    assert behind is not None
    assert behind["cursor"] < behind["verified"]["size"]

    def backing_off() -> bool:
        sync = sync_of(se, it)
        return sync is not None and sync["state"] == "BACKING_OFF" and bool(sync["lastError"])

    wait_until("se backs off it, down", backing_off, WAIT_S)
    waiting = sync_of(se, it)
    assert waiting is not None
    assert waiting["verified"] == behind["verified"]
    assert behind["cursor"] <= waiting["cursor"] < behind["verified"]["size"]

    # Both back: gr resumes from its cursor, se completes the log of it.
    said_before = (gr.directory / "serve.log").stat().st_size
    for node in (it, gr):
        processes[node.code] = start(node)
        node_ready(node, processes[node.code])

    # 3. All three show the same verified checkpoints of each other.
    wait_until("every node verified and stored every other's head", lambda: converged(nodes), 120)
    shown = views(nodes)
    for peer in nodes:
        seen = {shown[n.code][peer.origin] for n in nodes if n is not peer}
        assert seen == {(*head(peer), "UP_TO_DATE")}

    # gr's first page of it after its restart was the one at its cursor.
    with open(gr.directory / "serve.log", "rb") as said:
        said.seek(said_before)
        asked = re.findall(
            rf"GET {it.url}{FEED}/entries\?start=(\d+)&limit={PAGE_SIZE}\b", said.read().decode()
        )
    assert asked
    assert int(asked[0]) == cursor

    # Every store holds each peer's entries once, each checkpoint recorded witnessed once.
    for node in nodes:
        assert stop(node)
    for node in nodes:
        for peer in nodes:
            if peer is node:
                continue
            cursor, size, indexes, witnessed = stored(node, peer)
            assert cursor == size == len(indexes)
            assert indexes == list(range(size))
            assert witnessed == sorted(set(witnessed))
            # The last checkpoint with news is recorded; later ones holding only the
            # peer's own witness records are not (decision 45).
            assert witnessed
            assert witnessed[-1] <= size
    assert stored(se, it)[3][-1] >= ENTRIES
