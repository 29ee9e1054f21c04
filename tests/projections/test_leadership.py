"""Several processes, one projector: the lock holder works, the others stand by and take over."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries import actions
from coordination.projections.runner import ProjectionRunner
from coordination_demo import DemoSummary
from tests.projections.conftest import NOW, eventually, settle
from tests.projections.support import assign


@pytest.fixture
async def pair(system: System, db: ReadDatabase) -> AsyncIterator[list[ProjectionRunner]]:
    """Two projectors of the same name, each with its own connections, as in two processes."""
    other_db = await ReadDatabase.open(system.target)
    runners = [ProjectionRunner(db, system.app), ProjectionRunner(other_db, system.app)]
    for runner in runners:
        await runner.start()
    yield runners
    for runner in runners:
        await runner.stop()
    await other_db.close()


async def test_only_one_projects_and_another_takes_over(
    system: System, db: ReadDatabase, pair: list[ProjectionRunner], demo: DemoSummary
) -> None:
    app = system.app
    await eventually(lambda: any(r.is_active for r in pair))
    active, standby = sorted(pair, key=lambda r: not r.is_active)
    assert not standby.is_active
    for runner in pair:  # the standby follows the active one's progress too
        await settle(runner, app)
    assert active.batches > 0
    assert standby.batches == 0

    if db.is_postgres:  # the holder's connection dies: the server frees its lock
        await db.execute("SELECT pg_terminate_backend($1)", active.backend_pid)
    else:  # the holder's process ends: the operating system frees its lock
        await active.stop()
    await eventually(lambda: standby.is_active)
    action = assign(app, demo, "Projected by the new holder")
    await settle(standby, app)
    assert standby.batches > 0
    assert await actions.get_action(db, action, today=NOW.date()) is not None
    if db.is_postgres:  # the old holder came back as a standby
        await eventually(lambda: active.backend_pid is not None and not active.is_active)
        await settle(active, app)
