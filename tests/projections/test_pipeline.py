"""Pages overlap (the next is applied while the current one writes) without changing results."""

from __future__ import annotations

from typing import Any

import pytest

from coordination.bootstrap import System
from coordination.demo import DemoSummary
from coordination.domain.action import Action
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.changes import Writer
from coordination.projections.parking import HELD_BACK, list_parked
from coordination.projections.rebuild import check_replay
from coordination.projections.runner import ProjectionRunner
from coordination.projections.views import ALL_VIEWS
from coordination.projections.views import actions as actions_view
from tests.projections.support import assign, secretariat


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
    handlers = actions_view.VIEW.handlers
    original = handlers[Action.ProgressReported.TOPIC]

    def poison(event: Any, writer: Writer) -> None:
        if event.originator_id == poisoned:
            raise RuntimeError("a bug in the handler")
        original(event, writer)

    monkeypatch.setitem(handlers, Action.ProgressReported.TOPIC, poison)
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
