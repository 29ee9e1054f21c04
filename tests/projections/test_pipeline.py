"""Pages overlap (the next is applied while the current one writes) without changing results."""

from __future__ import annotations

import pytest

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.parking import HELD_BACK, list_parked
from coordination.projections.queries import actions
from coordination.projections.rebuild import check_replay
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import LIVE, generations
from coordination.projections.views import ALL_VIEWS
from coordination_demo import DemoSummary
from tests.projections.conftest import NOW
from tests.projections.support import assign, poison_progress, secretariat

TODAY = NOW.date()


async def test_tiny_pages_give_the_same_views_as_large_ones(
    system: System, db: ReadDatabase, demo: DemoSummary
) -> None:
    live = ProjectionRunner(db, system.app, batch_size=5000)
    head = await live.catch_up()
    assert head == system.app.recorder.max_notification_id()
    assert live.batches == 1
    assert await check_replay(db, system.app, ALL_VIEWS, batch_size=7) == []


async def test_a_stream_parked_in_one_page_holds_back_its_events_in_the_next(
    system: System, db: ReadDatabase, demo: DemoSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = system.app
    poisoned = assign(app, demo, "Poisoned")
    poison_progress(monkeypatch, poisoned)
    app.report_progress(secretariat(), poisoned, percent=30)
    app.report_progress(secretariat(), poisoned, percent=60)
    app.complete_action(secretariat(), poisoned, outcome="Done")
    # One event per page: each later event is applied while the page before it commits.
    runner = ProjectionRunner(db, app, batch_size=1)
    await runner.catch_up()
    assert runner.batches > 3
    parked = await list_parked(db, "actions")
    assert [(p.stream_version, p.error) for p in parked] == [
        (2, "RuntimeError: a bug in the handler"),
        (3, HELD_BACK),
        (4, HELD_BACK),
    ]


async def test_a_page_finding_a_view_moved_under_it_writes_nothing_and_reloads(
    system: System, db: ReadDatabase, demo: DemoSummary
) -> None:
    """Another writer (a projector that lost its lock without knowing yet) moved a view
    after this pipeline loaded its positions: its next page commits nothing at all."""
    app = system.app
    runner = ProjectionRunner(db, app, batch_size=100_000)
    head = await runner.catch_up()
    pipeline = runner.pipeline
    async with db.dedicated() as connection:
        await pipeline.load(connection)
        action = assign(app, demo, "Written while another writer moved the views")
        # The other writer: it moves the actions view past the new event behind our back.
        await db.execute(
            "UPDATE projection_tracking SET position = $1 WHERE view = 'actions' AND status = $2",
            head + 1_000,
            LIVE,
        )
        assert await pipeline.advance(connection)  # the page, refused, and a reload
    assert await actions.get_action(db, action, today=TODAY) is None  # no row written
    rows = {g.view: g.position for g in await generations(db) if g.status == LIVE}
    assert rows["actions"] == head + 1_000
    assert all(p == head for view, p in rows.items() if view != "actions"), rows
    assert pipeline.targets["actions"].position == head + 1_000  # reloaded
