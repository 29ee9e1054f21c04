"""Benchmark: commands per second and latency of the write side, beside its baselines.

For SQLite and PostgreSQL, with 1 and 8 concurrent clients, it runs a realistic command
mix through `Coordination` — 30% assign an action (a new stream, checked against the
partnership and the group), 50% report progress on one's own action, 20% post a
contribution to one of the group's four open decisions (streams all clients share) —
every command with an idempotency key, and, in the same run:

- the bare `eventsourcing` library saving the same events (same streams, same payload
  sizes, no validation, metadata or idempotency records);
- raw asyncpg single-row transactions (PostgreSQL only): the floor any layer pays.

Writes bench/results/append.json and prints a table. PostgreSQL comes from
COORDINATION_TEST_DATABASE_URL (`make bench` starts a durable throwaway server).

    python infra/throwaway_postgres.py --durable -- python bench/append.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from common import fresh_url, percentile, row
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from coordination.application import CommandOptions, Coordination
from coordination.bootstrap import bootstrap
from coordination.domain.context import Context
from coordination.settings import Settings

RESULTS = Path(__file__).parent / "results" / "append.json"
COMMANDS_PER_CLIENT = {1: 1500, 8: 250}
ORIGIN = "bench.example/coordination/log"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
#: Contributions go to the open decisions of one working group: shared, contended streams.
OPEN_DECISIONS = 4


def run_clients(clients: int, per_client: int, op: Callable[[int, int], None]) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    start_together = threading.Barrier(clients)

    def client(c: int) -> None:
        own: list[float] = []
        start_together.wait()
        for k in range(per_client):
            t0 = time.perf_counter()
            op(c, k)
            own.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(own)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - t0
    return {
        "throughput": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


# -- our layer ---------------------------------------------------------------------


class CoordinationWorkload:
    def __init__(self, app: Coordination, clients: int) -> None:
        self.app = app
        admin = Context(actor="secretariat", origin=ORIGIN, occurred_at=NOW)
        self.pid = app.establish_partnership(
            admin,
            name="Bench partnership",
            programme="ESF",
            region="R",
            period_start=date(2026, 1, 1),
            period_end=date(2028, 12, 31),
        ).stream_id
        theme = app.define_theme(admin, self.pid, name="Support services").created_id
        assert theme is not None
        self.orgs: list[tuple[uuid.UUID, uuid.UUID]] = []
        for i in range(max(clients, 2)):
            org = app.admit_member(admin, self.pid, name=f"Org {i}", kind="cooperative").created_id
            assert org is not None
            rep = uuid.uuid4()
            app.appoint_representative(
                admin, self.pid, member_id=org, person_id=rep, starts_on=date(2026, 3, 2)
            )
            self.orgs.append((org, rep))
        self.group = app.convene_working_group(
            admin,
            self.pid,
            theme_id=theme,
            name="Procurement",
            purpose="p",
            decides="d",
            default_rule="consent",
        ).stream_id
        for org, rep in self.orgs:
            app.join_working_group(self.ctx(org, rep), self.group)
        org, rep = self.orgs[0]
        self.decisions = [
            app.table_proposal(
                self.ctx(org, rep),
                partnership_id=self.pid,
                forum_kind="working_group",
                forum_id=self.group,
                title=f"Proposal {n}",
                text="Use social clauses.",
                rationale="Tender study",
            ).stream_id
            for n in range(OPEN_DECISIONS)
        ]
        self.actions: dict[int, list[uuid.UUID]] = {c: [] for c in range(clients)}
        self.admin = admin

    def ctx(self, org: uuid.UUID, rep: uuid.UUID) -> Context:
        return Context(actor=str(rep), origin=ORIGIN, acting_for=org, occurred_at=NOW)

    def op(self, client: int, k: int) -> None:
        org, rep = self.orgs[client]
        options = CommandOptions(idempotency_key=f"{client}-{k}")
        kind = k % 10
        if kind < 3 or not self.actions[client]:
            created = self.app.assign_action(
                self.admin,
                partnership_id=self.pid,
                group_id=self.group,
                owner_id=org,
                description=f"Action {client}-{k}: map the tender outcomes of one municipality",
                due_on=date(2026, 6, 1),
                options=options,
            ).created_id
            assert created is not None
            self.actions[client].append(created)
        elif kind < 8:
            action = self.actions[client][k % len(self.actions[client])]
            self.app.report_progress(
                self.admin, action, percent=k % 100, note="Interviews ongoing", options=options
            )
        else:
            self.app.post_contribution(
                self.ctx(org, rep),
                self.decisions[k % OPEN_DECISIONS],
                text=f"Contribution {client}-{k}",
                options=options,
            )


# -- the bare library ----------------------------------------------------------------


class BareAction(Aggregate):
    @event("Assigned")
    def __init__(self, owner_id: uuid.UUID, description: str, due_on: str) -> None:
        self.owner_id, self.description, self.due_on = owner_id, description, due_on
        self.progress = 0

    @event("ProgressReported")
    def report(self, percent: int, note: str) -> None:
        self.progress = percent


class BareDecision(Aggregate):
    @event("Tabled")
    def __init__(self, title: str) -> None:
        self.title = title
        self.contributions = 0

    @event("ContributionPosted")
    def contribute(self, text: str) -> None:
        self.contributions += 1


class BareWorkload:
    def __init__(self, app: Application[uuid.UUID], clients: int) -> None:
        self.app = app
        decisions = [BareDecision(f"Proposal {n}") for n in range(OPEN_DECISIONS)]
        app.save(*decisions)
        self.decisions = [d.id for d in decisions]
        self.actions: dict[int, list[uuid.UUID]] = {c: [] for c in range(clients)}

    def op(self, client: int, k: int) -> None:
        kind = k % 10
        if kind < 3 or not self.actions[client]:
            action = BareAction(
                uuid.uuid4(), f"Action {client}-{k}: map the tender outcomes", "2026-06-01"
            )
            self.app.save(action)
            self.actions[client].append(action.id)
        elif kind < 8:
            loaded: BareAction = self.app.repository.get(
                self.actions[client][k % len(self.actions[client])]
            )
            loaded.report(k % 100, "Interviews ongoing")
            self.app.save(loaded)
        else:
            for _ in range(20):  # the bare library has no retry: do what we do
                shared: BareDecision = self.app.repository.get(self.decisions[k % OPEN_DECISIONS])
                shared.contribute(f"Contribution {client}-{k}")
                try:
                    self.app.save(shared)
                    return
                except Exception:
                    continue


class BareApp(Application[uuid.UUID]):
    name = "Bare"


# -- raw asyncpg -----------------------------------------------------------------------


async def raw_asyncpg(url: str, clients: int, per_client: int) -> dict[str, float]:
    import asyncpg

    conn = await asyncpg.connect(url)
    await conn.execute("DROP TABLE IF EXISTS bench_raw")
    await conn.execute("CREATE TABLE bench_raw (id bigserial primary key, state jsonb)")
    await conn.close()
    pool = await asyncpg.create_pool(url, min_size=clients, max_size=clients)
    latencies: list[float] = []
    payload = json.dumps({"description": "x" * 80, "percent": 10})

    async def client() -> None:
        async with pool.acquire() as c:
            for _ in range(per_client):
                t0 = time.perf_counter()
                async with c.transaction():
                    await c.execute("INSERT INTO bench_raw (state) VALUES ($1::jsonb)", payload)
                latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    await pool.close()
    return {
        "throughput": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


# -- the run ---------------------------------------------------------------------------


def measure(backend: str, clients: int, server: str | None, tmp: Path) -> list[dict[str, Any]]:
    per_client = COMMANDS_PER_CLIENT[clients]
    ours_system = bootstrap(
        Settings(
            database_url=fresh_url(backend, server, tmp, f"ours{clients}"),
            data_dir=tmp,
            origin=ORIGIN,
        )
    )
    workload = CoordinationWorkload(ours_system.app, clients)
    ours = run_clients(clients, per_client, workload.op)
    ours_system.close()

    from coordination.persistence.eventstore import eventstore_env, parse_database_url

    bare_target = parse_database_url(fresh_url(backend, server, tmp, f"bare{clients}"))
    bare_app = BareApp(env=eventstore_env(bare_target, create_tables=True))
    bare = run_clients(clients, per_client, BareWorkload(bare_app, clients).op)
    bare_app.close()

    label = f"{backend}, {clients} client{'s' if clients > 1 else ''}"
    rows = [
        row(
            f"commands/s ({label})",
            ours["throughput"],
            "commands/s",
            "bare eventsourcing saves/s",
            bare["throughput"],
        ),
        row(
            f"p50 latency ({label})", ours["p50_ms"], "ms", "bare eventsourcing p50", bare["p50_ms"]
        ),
        row(
            f"p99 latency ({label})", ours["p99_ms"], "ms", "bare eventsourcing p99", bare["p99_ms"]
        ),
    ]
    if backend == "postgres" and server is not None:
        raw = asyncio.run(raw_asyncpg(server, clients, per_client))
        rows.append(
            row(
                f"commands/s vs raw inserts ({label})",
                ours["throughput"],
                "commands/s",
                "raw asyncpg single-row transactions/s",
                raw["throughput"],
            )
        )
        rows.append(
            row(
                f"p99 latency vs raw inserts ({label})",
                ours["p99_ms"],
                "ms",
                "raw asyncpg single-row transaction p99",
                raw["p99_ms"],
            )
        )
    return rows


def main() -> int:
    server = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    backends = ["sqlite", "postgres"] if server else ["sqlite"]
    if not server:
        print(
            "COORDINATION_TEST_DATABASE_URL unset: PostgreSQL skipped (use make bench)",
            file=sys.stderr,
        )
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for clients in (1, 8):
                results.extend(measure(backend, clients, server, Path(tmp)))
                for r in results[-3:]:
                    print(
                        f"{r['name']:<45} {r['value']:>10.2f} {r['unit']:<11} "
                        f"{r['baseline_name']}: {r['baseline_value']:.2f} "
                        f"(ratio {r['ratio']:.2f})"
                    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
