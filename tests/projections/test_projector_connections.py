"""The active projector reads the log on a connection of its own, not the read pool's.

Page queries fill the pool under read load; a projector that queued behind them for
every read of the log held up every write's read-your-writes wait. PostgreSQL only:
SQLite's read side has no pool.
"""

from __future__ import annotations

import asyncpg
import pytest

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.persistence.readdb_postgres import PostgresReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination_demo import DemoSummary
from tests.projections.conftest import settle
from tests.projections.support import assign


@pytest.fixture
def database_url(postgres_schema_url: str) -> str:
    return postgres_schema_url


async def test_a_pool_held_by_readers_does_not_hold_up_the_projector(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    app = system.app
    await settle(runner, app)
    assert isinstance(db, PostgresReadDatabase)
    held: list[asyncpg.pool.PoolConnectionProxy] = []
    try:
        for _ in range(db.pool.get_max_size()):
            held.append(await db.pool.acquire(timeout=10))
        assign(app, demo, "Seen while every pooled connection is busy")
        position = app.recorder.max_notification_id() or 0
        assert await runner.wait_until(position, 5.0), (
            f"the views stopped at {runner.position} < {position} while the pool was full"
        )
    finally:
        for connection in held:
            await db.pool.release(connection)
