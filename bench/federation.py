"""Benchmark: federation between nodes run as `coordination serve`, as `make federation`
runs them — sync throughput, commit-to-view latency, and cosignature gathering.

Five nodes: A (se) and B (it) on PostgreSQL (schemas of COORDINATION_TEST_DATABASE_URL's
server), three witnesses (gr, nl, fi) on SQLite, introduced to each other through their
GraphQL APIs. In one run:

- **sync**: A's log is loaded with ENTRIES public events before it serves; B's own sync
  worker (in its `serve`) then verifies and stores them. Its rate is taken from B's
  synced-log store (polled every 10 ms), from the first stored page to the last, so the
  worker's start-up and first page are left out. Beside it, the raw rate of fetching the
  same pages, signed as B, parsed and not verified or stored (`PeerClient.page`).
- **latency**: A (lead) establishes a joint group with B as member (GraphQL); the time
  until B's `jointGroup` shows it (its view merges verified synced entries), polled every
  10 ms: A's integrator and signing, B's sync (long-polling A's head page) and B's view.
- **cosignatures**: after each of those commits, the time from A serving the new
  checkpoint to A serving it with four valid witness cosignatures (gathered by A's
  `serve`), polled every 10 ms.

Writes bench/results/federation.json and prints a table.

    python infra/throwaway_postgres.py --durable -- python bench/federation.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from common import fresh_url, percentile, row

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coordination.audit.keys import load_signer
from coordination.audit.storage import open_storage
from coordination.bootstrap import bootstrap
from coordination.domain.context import Context
from coordination.federation.peer_client import Peer, PeerClient
from coordination.federation.synced_logs import SyncedLogs
from coordination.settings import Settings
from infra.federation_joint import joint_group
from infra.federation_nodes import (
    Node,
    free_port,
    graphql,
    prepare,
    start,
    stop,
    wait_ready,
    wait_until,
)
from infra.federation_scenario import cosigners, each, introduce, served_checkpoint

RESULTS = Path(__file__).parent / "results" / "federation.json"
ENTRIES = int(os.environ.get("BENCH_FEDERATION_ENTRIES", "20000"))
ROUNDS = int(os.environ.get("BENCH_FEDERATION_ROUNDS", "30"))
POLL_S = 0.01
ESTABLISH = (
    "mutation($input: EstablishJointGroupInput!) { establishJointGroup(input: $input) {"
    " __typename ... on EstablishJointGroupPayload { createdId } } }"
)


def settings_of(node: Node) -> Settings:
    return Settings(
        database_url=node.database_url,
        data_dir=node.directory,
        origin=node.origin,
        env="development",
    )


def load(node: Node, count: int) -> float:
    """``count`` public events (one partnership each) in the node's store; seconds taken."""
    system = bootstrap(settings_of(node))
    ctx = Context(actor="operator:bench", origin=node.origin)
    started = time.perf_counter()
    try:
        for i in range(count):
            system.app.establish_partnership(
                ctx,
                name=f"Bench partnership {i}",
                programme="ESF+",
                region="Bench",
                period_start=date(2026, 1, 1),
                period_end=date(2027, 12, 31),
            )
    finally:
        system.close()
    return time.perf_counter() - started


def sync_rate(a: Node, b: Node, expected: int) -> float:
    """Entries/s B's sync worker verifies and stores, first stored page to the last."""
    system = bootstrap(settings_of(b), create_tables=False)
    storage = open_storage(system.target, system.app)
    logs = SyncedLogs(storage)
    try:
        wait_until("B's first stored page of A", lambda: logs.verified_size(a.origin) > 0, 300.0)
        first, started = logs.verified_size(a.origin), time.perf_counter()
        wait_until(
            f"B to store A's {expected} entries",
            lambda: logs.verified_size(a.origin) >= expected,
            600.0,
        )
        return (logs.verified_size(a.origin) - first) / (time.perf_counter() - started)
    finally:
        storage.close()
        system.close()


async def raw_rate(a: Node, b: Node, size: int) -> float:
    """Entries/s of fetching A's pages signed as B, parsed, neither verified nor stored."""
    signer = load_signer(settings_of(b))
    async with httpx.AsyncClient(timeout=60.0) as http:
        client = PeerClient(Peer(a.origin, a.url), signer, http)
        started, fetched = time.perf_counter(), 0
        while fetched < size:
            fetched += len(await client.page(fetched, min(1000, size - fetched)))
        return fetched / (time.perf_counter() - started)


def checkpoint_size(node: Node) -> int:
    note = served_checkpoint(node)
    return int(note.split("\n")[1]) if note else 0


def rounds(a: Node, b: Node, nodes: list[Node]) -> tuple[list[float], list[float]]:
    """Commit-to-B's-view latencies and checkpoint-to-four-cosignatures times, in seconds."""
    latencies, cosigning = [], []
    for i in range(ROUNDS):
        before = checkpoint_size(a)
        given = {
            "name": f"Bench group {i}",
            "topic": "SUPPORT_SERVICES",
            "purpose": "Bench",
            "members": [b.origin],
        }
        committed = time.perf_counter()
        group = graphql(a, ESTABLISH, {"input": given})["establishJointGroup"]["createdId"]
        signed = seen = cosigned = None
        deadline = committed + 60.0
        while None in (signed, seen, cosigned) and time.perf_counter() < deadline:
            now = time.perf_counter()
            if signed is None and checkpoint_size(a) > before:
                signed = now
            if (
                signed is not None
                and cosigned is None
                and len(cosigners(a, nodes)) == len(nodes) - 1
            ):
                cosigned = now
            if seen is None and joint_group(b, group) is not None:
                seen = now
            time.sleep(POLL_S)
        if signed is None or seen is None or cosigned is None:
            times = f"signed {signed}, seen {seen}, cosigned {cosigned}"
            raise SystemExit(f"round {i}: not done within 60 s ({times})")
        latencies.append(seen - committed)
        cosigning.append(cosigned - signed)
    return latencies, cosigning


def main() -> None:
    server = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    if not server:
        raise SystemExit(
            "needs COORDINATION_TEST_DATABASE_URL (run it under infra/throwaway_postgres.py)"
        )
    tmp = Path(tempfile.mkdtemp(prefix="bench-federation-"))
    urls = {
        "se": fresh_url("postgresql", server, tmp, "fed_a"),
        "it": fresh_url("postgresql", server, tmp, "fed_b"),
    }
    nodes = [
        Node(
            code,
            free_port(),
            tmp / code,
            urls.get(code) or f"sqlite:///{tmp / code / 'coordination.db'}",
        )
        for code in ("se", "it", "gr", "nl", "fi")
    ]
    a, b = nodes[0], nodes[1]
    each(nodes, prepare)
    loaded_s = load(a, ENTRIES)
    print(f"loaded {ENTRIES} events into A in {loaded_s:.1f} s", flush=True)
    processes = [start(node) for node in nodes]
    try:
        for node, process in zip(nodes, processes, strict=True):
            wait_ready(node, process)
        wait_until("A to sign its loaded log", lambda: checkpoint_size(a) >= ENTRIES, 600.0)
        introduce(nodes)
        size = checkpoint_size(a)
        verified = sync_rate(a, b, size)
        raw = asyncio.run(raw_rate(a, b, size))
        latencies, cosigning = rounds(a, b, nodes)
    finally:
        for node in nodes:
            stop(node)
    results: dict[str, Any] = {
        "entries": size,
        "rounds": ROUNDS,
        "rows": [
            row(
                "sync: entries verified and stored per second (B's worker)",
                verified,
                "entries/s",
                "fetched and parsed, unverified",
                raw,
                digits=0,
            ),
            row("commit on A to B's view, p50", percentile(latencies, 0.5), "s", "target", 1.0),
            row("commit on A to B's view, p99", percentile(latencies, 0.99), "s", "target", 3.0),
            row(
                "checkpoint to 4 cosignatures, p50", percentile(cosigning, 0.5), "s", "target", 1.0
            ),
            row(
                "checkpoint to 4 cosignatures, p99", percentile(cosigning, 0.99), "s", "target", 1.0
            ),
        ],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for item in results["rows"]:
        baseline = f"({item['baseline_name']}: {item['baseline_value']})"
        print(f"{item['name']:<60} {item['value']:>10} {item['unit']:<10} {baseline}")


if __name__ == "__main__":
    main()
