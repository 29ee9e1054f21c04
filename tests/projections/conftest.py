"""Fixtures of the projection tests: a read database and a running projector per backend."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from rich.console import Console

from coordination.application import Coordination
from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import ensure_schema
from coordination.projections.views import ALL_VIEWS
from coordination_demo import DemoSummary, load_demo

ORIGIN = "test.example/coordination/log"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
async def db(system: System) -> AsyncIterator[ReadDatabase]:
    database = await ReadDatabase.open(system.target)
    await ensure_schema(database, ALL_VIEWS)
    yield database
    await database.close()


@pytest.fixture
async def runner(db: ReadDatabase, system: System) -> AsyncIterator[ProjectionRunner]:
    projector = ProjectionRunner(db, system.app, batch_size=500)
    await projector.start()
    yield projector
    await projector.stop()


@pytest.fixture
def demo(system: System) -> DemoSummary:
    return load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))


async def settle(runner: ProjectionRunner, app: Coordination, timeout: float = 20.0) -> int:
    """Wait until the views include everything recorded so far; returns that position."""
    head = app.recorder.max_notification_id() or 0
    assert await runner.wait_until(head, timeout), f"views stuck at {runner.position} < {head}"
    return head


async def eventually(condition: Callable[[], object], timeout: float = 20.0) -> None:
    """Wait until `condition()` (sync or async) is true, or fail after `timeout`."""
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)
