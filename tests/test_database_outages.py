"""The event store's side of an outage, in-process, on a PostgreSQL server the tests stop
and start: a stopped server is found by one probe and refused at once, not waited for
through the library's retries; a server that is back is used again without a restart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from coordination.bootstrap import System, bootstrap, store_readiness
from coordination.persistence.availability import DatabaseUnavailable
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import ensure_schema
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings
from tests.audit.support import fill_events

#: How long anything may take while the database is down.
PROMPT_S = 2.0


@pytest.fixture
def system(stoppable_schema_url: str, tmp_path: Path) -> Iterator[System]:
    settings = Settings(
        database_url=stoppable_schema_url, data_dir=tmp_path, origin="test.example/log"
    )
    wired = bootstrap(settings)
    yield wired
    wired.close()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)  # polling a condition with a deadline


async def settled(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)  # polling a condition with a deadline


def idle_connections(system: System) -> int:
    pool = system.app.recorder.datastore.pool  # type: ignore[attr-defined]
    available: int = pool.get_stats().get("pool_available", 0)
    return available


def test_a_stopped_server_is_refused_at_once_and_used_again_once_it_is_back(
    stoppable_server: Any, system: System
) -> None:
    fill_events(system.app, 3)
    assert store_readiness(system)["position"] == 3

    stoppable_server.stop(fast=True)
    started = time.monotonic()
    report = store_readiness(system)  # it took 100 s: ten tries, each waiting for the pool
    assert time.monotonic() - started < PROMPT_S
    assert report["status"] == "unavailable"
    assert report["detail"].startswith("the database is unavailable (")
    assert system.availability.down
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="the database is unavailable"):
        fill_events(system.app, 1)
    assert time.monotonic() - started < 0.5  # refused at once: nothing is asked

    stoppable_server.start()
    wait_for(lambda: not system.availability.down)
    fill_events(system.app, 2)
    assert store_readiness(system) == {
        "status": "ready",
        "database": system.target.describe(),
        "position": 5,
    }


def test_a_server_restarted_between_two_writes_is_used_again_at_once(
    stoppable_server: Any, system: System
) -> None:
    fill_events(system.app, 1)
    # Every pooled connection open before the restart, and so broken by it.
    wait_for(lambda: idle_connections(system) >= 10)
    stoppable_server.stop(fast=True)
    stoppable_server.start()

    # The first write meets a broken connection: the server takes a new one, so it is
    # not down, and the others are dropped before the write tries again (ten tries
    # met ten broken connections, and the write failed).
    fill_events(system.app, 1)
    assert not system.availability.down
    assert store_readiness(system)["position"] == 2


async def test_the_projector_resumes_as_soon_as_the_database_is_back(
    stoppable_server: Any, system: System
) -> None:
    db = await ReadDatabase.open(system.target, availability=system.availability)
    await ensure_schema(db, ALL_VIEWS)
    # A restart pause longer than this test waits: only the database's return wakes it.
    runner = ProjectionRunner(db, system.app, restart_delay=60.0)
    await runner.start()
    try:
        await settled(lambda: runner.is_active)
        await asyncio.to_thread(stoppable_server.stop, fast=True)
        await settled(lambda: system.availability.down and not runner.is_active)
        await asyncio.to_thread(stoppable_server.start)
        await settled(lambda: runner.is_active, timeout=5)
        fill_events(system.app, 1)
        assert await runner.wait_until(system.app.recorder.max_notification_id() or 0, 5)
    finally:
        await runner.stop()
        await db.close()
