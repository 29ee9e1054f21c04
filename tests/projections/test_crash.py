"""A projector killed with SIGKILL mid catch-up resumes and counts nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.rebuild import check_replay
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import generations
from coordination.projections.views import ALL_VIEWS
from coordination_demo.synthetic import generate
from tests.projections.conftest import eventually

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 12_000


async def _lowest(db: ReadDatabase) -> int:
    return min(g.position for g in await generations(db) if g.status == "live")


async def test_killed_projector_resumes_to_views_equal_to_a_rebuild(
    system: System, db: ReadDatabase, database_url: str
) -> None:
    log = generate(system.app, EVENTS, organisations=40, groups=6)
    head = system.app.recorder.max_notification_id() or 0
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/projections/projector_child.py"), database_url, "60"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await eventually(lambda: _past_quarter(db, head), timeout=60)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    at_kill = await _lowest(db)
    assert 0 < at_kill < head, "the projector should have been killed while catching up"

    resumed = ProjectionRunner(db, system.app, batch_size=500)
    assert await resumed.catch_up() == head
    assert await check_replay(db, system.app, ALL_VIEWS) == []
    totals = await db.fetchrow(
        "SELECT SUM(registered) AS registered, SUM(attended) AS attended,"
        " COUNT(*) AS workshops FROM rv_workshops"
    )
    assert totals == {
        "registered": log.registrations,
        "attended": log.attendances,
        "workshops": log.workshops,
    }
    assert await db.fetchval("SELECT SUM(contributions) FROM rv_decisions") == log.contributions
    assert await db.fetchval("SELECT COUNT(*) FROM rv_participation_orgs") == len(log.organisations)


async def _past_quarter(db: ReadDatabase, head: int) -> bool:
    return await _lowest(db) >= head // 4
