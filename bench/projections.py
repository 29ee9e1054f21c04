"""Projection catch-up: all views from a large log, beside the bare library's runner.

    python bench/projections.py [--events N] [--baseline-events N] [--backends sqlite,postgres]
    python infra/throwaway_postgres.py --durable -- .venv/bin/python bench/projections.py

The log is a realistic mix (decisions with positions, actions, workshops with attendance,
membership churn) made by `coordination_demo.synthetic` and written through the
library's recorder in large batches. Ours: the projector catches every view up from
position 0 (what a new node or a full rebuild does). Baseline: the library's
`eventsourcing.projection.ProjectionRunner` with a minimal view (one counter per event
type) that records each event and its tracking in one transaction, the library's
documented pattern; it runs over the first `--baseline-events` of the same log. (The
library's SQLite recorder cannot be subscribed to, so on SQLite the same projection and
view are driven by pulling pages of notifications, which is what the runner does.) PostgreSQL
runs when COORDINATION_TEST_DATABASE_URL is set. Writes bench/results/projections.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from abc import abstractmethod
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coordination.application import Coordination  # noqa: E402
from coordination.bootstrap import System, bootstrap  # noqa: E402
from coordination.persistence.eventstore import eventstore_env  # noqa: E402
from coordination.persistence.readdb import ReadDatabase  # noqa: E402
from coordination.projections.runner import ProjectionRunner as OurRunner  # noqa: E402
from coordination.projections.schema import ensure_schema  # noqa: E402
from coordination.projections.views import ALL_VIEWS  # noqa: E402
from coordination.runtime import tune_garbage_collection  # noqa: E402
from coordination.settings import Settings  # noqa: E402
from coordination_demo.synthetic import generate  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "projections.json"
TOPICS = tuple(sorted({topic for view in ALL_VIEWS for topic in view.topics}))
console = Console()


class CountersView(TrackingRecorder):
    """The baseline's view: how many events of each type, tracked per event."""

    @abstractmethod
    def count(self, topic: str, tracking: Tracking) -> None: ...


class PostgresCounters(PostgresTrackingRecorder, CountersView):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.append(
            SQL(
                f"CREATE TABLE IF NOT EXISTS {datastore.schema}.bench_counts"
                " (topic text PRIMARY KEY, n bigint NOT NULL)"
            )
        )

    def count(self, topic: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                f"INSERT INTO {self.datastore.schema}.bench_counts VALUES (%s, 1)"
                " ON CONFLICT (topic) DO UPDATE SET n = bench_counts.n + 1",
                (topic,),
            )
            self._insert_tracking(curs, tracking)


class SQLiteCounters(SQLiteTrackingRecorder, CountersView):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS bench_counts (topic TEXT PRIMARY KEY, n INTEGER NOT NULL)",
        ]

    def count(self, topic: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO bench_counts VALUES (?, 1)"
                " ON CONFLICT (topic) DO UPDATE SET n = bench_counts.n + 1",
                (topic,),
            )
            self._insert_tracking(c, tracking)


class CountingProjection(Projection[CountersView]):
    name = "bench_counting"
    topics = TOPICS

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.count(domain_event.TOPIC, tracking)


def baseline(system: System, events: int) -> tuple[int, float]:
    """Run the library's ProjectionRunner until it has processed `events` events."""
    env = eventstore_env(system.target, create_tables=True)
    if not system.target.is_postgres:
        return pulled_baseline(system, env, events)
    view_class = PostgresCounters
    stop = system.app.recorder.select_notifications(start=events, limit=1, topics=TOPICS)
    last = stop[0].id if stop else system.app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    with ProjectionRunner(
        application_class=Coordination,
        projection_class=CountingProjection,
        view_class=view_class,
        env=env,
    ) as runner:
        runner.wait(last, timeout=3600)
    elapsed = time.perf_counter() - started
    done = len(system.app.recorder.select_notifications(start=1, limit=events, stop=last))
    return done, elapsed


def pulled_baseline(system: System, env: dict[str, str], events: int) -> tuple[int, float]:
    """The library's projection and SQLite tracking view, fed page by page."""
    factory = InfrastructureFactory[CountersView].construct(
        env=Environment(CountingProjection.name, env)
    )
    projection = CountingProjection(view=factory.tracking_recorder(SQLiteCounters))
    recorder, decode = system.app.recorder, system.app.mapper.to_domain_event
    done, start = 0, 1
    started = time.perf_counter()
    while done < events:
        page = recorder.select_notifications(start=start, limit=500, topics=TOPICS)
        if not page:
            break
        for note in page[: events - done]:
            projection.process_event(decode(note), Tracking(system.app.name, note.id))
            done += 1
        start = page[-1].id + 1
    return done, time.perf_counter() - started


async def ours(system: System) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds of a catch-up from position 0."""
    db = await ReadDatabase.open(system.target)
    try:
        await ensure_schema(db, ALL_VIEWS)
        runner = OurRunner(db, system.app)
        started, cpu = time.perf_counter(), time.process_time()
        await runner.catch_up()
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        await db.close()


def run_backend(name: str, url: str, events: int, baseline_events: int) -> dict[str, Any]:
    system = bootstrap(Settings(database_url=url))
    try:
        with console.status(f"{name}: writing a log of {events:,} events"):
            started = time.perf_counter()
            log = generate(system.app, events)
            writing = time.perf_counter() - started
        console.print(f"{name}: log of {log.events:,} events written in {writing:.1f}s")
        with console.status(f"{name}: catching up all views"):
            elapsed, cpu = asyncio.run(ours(system))
        rate = log.events / elapsed
        console.print(
            f"{name}: all views caught up in {elapsed:.1f}s ({rate:,.0f} events/s,"
            f" {cpu:.1f} CPU seconds in this process)"
        )
        with console.status(f"{name}: the library's ProjectionRunner"):
            done, base_elapsed = baseline(system, baseline_events)
        base_rate = done / base_elapsed
        console.print(f"{name}: library runner {done:,} events in {base_elapsed:.1f}s")
        how = "ProjectionRunner" if system.target.is_postgres else "Projection, pulled"
        return {
            "name": f"projection catch-up, all 5 views, {name} ({log.events:,} events)",
            "value": round(rate),
            "unit": "events/s",
            "cpu_seconds": round(cpu, 1),
            "baseline_name": (f"eventsourcing {how}, one transaction per event ({done:,} events)"),
            "baseline_value": round(base_rate),
            "ratio": round(rate / base_rate, 1),
        }
    finally:
        system.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--baseline-events", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    # As every command of the node does; the library's runner runs in this process too.
    tune_garbage_collection()
    results = []
    wanted = args.backends.split(",")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
            results.append(run_backend("SQLite", url, args.events, args.baseline_events))
    server = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    if "postgres" in wanted and server:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            url = f"{server}?schema={schema}"
            results.append(run_backend("PostgreSQL", url, args.events, args.baseline_events))
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    elif "postgres" in wanted:
        console.print("PostgreSQL skipped: COORDINATION_TEST_DATABASE_URL is not set")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    table = Table("benchmark", "value", "baseline", "ratio")
    for r in results:
        table.add_row(
            r["name"],
            f"{r['value']:,} {r['unit']}",
            f"{r['baseline_value']:,} ({r['baseline_name']})",
            f"{r['ratio']}x",
        )
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
