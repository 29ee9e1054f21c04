"""Helpers of the log tests: fast event fills, raw SQL on either store, soundness checks."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg

from coordination.application import Coordination
from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.envelope import parse_entry
from coordination.audit.merkle import leaf_hash, root_hash
from coordination.audit.note import Signer, Verifier
from coordination.audit.storage import open_storage
from coordination.audit.stored import MemoryHashStore, stored_hash_count
from coordination.bootstrap import System
from coordination.domain.action import Action

ORIGIN = "test.example/coordination/log"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
#: The published test key of the conformance vectors would do, but a node key must be
#: named by the origin; tests use fixed seeds so that failures reproduce.
NODE_SEED = bytes(range(32))


def node_signer(origin: str = ORIGIN) -> Signer:
    return Signer(origin, NODE_SEED)


def other_signer(origin: str = ORIGIN) -> Signer:
    return Signer(origin, bytes(range(1, 33)))


def fill_events(app: Coordination, count: int, *, per_stream: int = 100, batch: int = 500) -> None:
    """Record ``count`` progress reports straight through the recorder (no use cases)."""
    stored = []
    stream = uuid4()
    for i in range(count):
        if i % per_stream == 0:
            stream = uuid4()
        event = Action.ProgressReported(  # type: ignore[call-arg]
            originator_id=stream,
            originator_version=i % per_stream + 1,
            timestamp=NOW,
            event_id=uuid4(),
            occurred_at=NOW,
            actor="bench",
            acting_for=None,
            origin=ORIGIN,
            correlation_id=uuid4(),
            causation_id=uuid4(),
            audience="partnership",
            percent=i % 101,
            note=f"step {i}",
        )
        stored.append(app.mapper.to_stored_event(event))
        if len(stored) == batch:
            app.recorder.insert_events(stored)
            stored = []
    if stored:
        app.recorder.insert_events(stored)


def execute(system: System, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the system's database, outside the application (``?`` marks)."""
    target = system.target
    if target.sqlite_path is not None:
        with sqlite3.connect(target.sqlite_path, isolation_level=None, timeout=30) as conn:
            return list(conn.execute(sql, params).fetchall())
    with _postgres(system, autocommit=True) as conn:
        cur = conn.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


def execute_at_once(system: System, statements: Sequence[str]) -> None:
    """Run ``statements`` (without parameters) in one transaction: a process of the node
    sees all of them done or none."""
    target = system.target
    if target.sqlite_path is not None:
        conn = sqlite3.connect(target.sqlite_path, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql in statements:
                conn.execute(sql)
            conn.execute("COMMIT")
        finally:
            conn.close()
        return
    with _postgres(system, autocommit=False) as conn, conn.transaction():
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def _postgres(system: System, *, autocommit: bool) -> psycopg.Connection[Any]:
    target = system.target
    conn = psycopg.connect(
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
        dbname=target.dbname,
        autocommit=autocommit,
    )
    conn.execute(f"SET search_path TO {target.schema}")
    return conn


def uuid_param(system: System, value: UUID) -> object:
    return value if system.target.is_postgres else str(value)


def assert_sound(system: System, verifier: Verifier) -> int:
    """Check the integrated log from first principles; returns its size.

    Every recorded event has exactly one index, in notification order, without holes;
    entries parse and hash to their stored leaf hashes; the stored tree is the tree of
    those leaves; every stored checkpoint verifies, and its root is the root of the
    first ``size`` leaves (so no two checkpoints can disagree).
    """
    storage = open_storage(system.target, system.app)
    try:
        size = storage.position().size
        entries = storage.entries(0, size + 1000)
    finally:
        storage.close()
    assert [e.index for e in entries] == list(range(size))
    notifications = system.app.recorder.select_notifications(start=1, limit=10_000_000)
    assert [e.notification_id for e in entries] == [n.id for n in notifications][:size]
    leaves = [leaf_hash(e.entry) for e in entries]
    assert leaves == [e.leaf_hash for e in entries]
    for e in entries:
        assert parse_entry(e.entry, e.index)["id"] == e.event_id
    reference = MemoryHashStore()
    reference.append(leaves)
    count = stored_hash_count(size)
    stored = execute(system, "SELECT storage_index, hash FROM log_hashes ORDER BY storage_index")
    assert [int(i) for i, _ in stored] == list(range(count))
    assert [bytes(h) for _, h in stored] == reference.read(range(count))
    checkpoints = execute(system, "SELECT size, root, note FROM log_checkpoints ORDER BY size")
    assert checkpoints, "no checkpoint was signed"
    for cp_size, root, note in checkpoints:
        checkpoint = open_checkpoint(note, verifier, origin=ORIGIN)
        assert checkpoint.size == cp_size
        assert checkpoint.root_hash == bytes(root) == root_hash(leaves[:cp_size])
    return size


class LogNode:
    """A node's log with its integrator and feed app, for verify and export tests."""

    def __init__(self, system: System) -> None:
        from fastapi import FastAPI

        from coordination.audit.integrator import Integrator
        from coordination.audit.log import open_audit_log
        from coordination.federation.router import feed_router

        self.system = system
        self.log = open_audit_log(
            system.target,
            system.app,
            origin=system.settings.origin,
            verifier=node_signer().verifier,
        )
        self.integrator = Integrator(
            system.app,
            self.log.storage,
            node_signer(),
            origin=system.settings.origin,
            notifier=self.log.notifier,
        )
        self.app = FastAPI()
        self.app.include_router(feed_router(lambda: self.log))

    def grow(self, count: int) -> str:
        """Record and integrate ``count`` events; the new checkpoint's note."""
        fill_events(self.system.app, count)
        self.integrator.run_once()
        checkpoint = self.log.latest_checkpoint()
        assert checkpoint is not None
        return checkpoint.note

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return execute(self.system, sql, params)

    def close(self) -> None:
        self.log.close()


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.01)  # polling a condition with a deadline
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
