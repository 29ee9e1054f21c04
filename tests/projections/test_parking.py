"""A poison event parks its stream for its view only, is visible, and can be retried."""

from __future__ import annotations

import pytest

from coordination.bootstrap import System
from coordination.domain import action as action_module
from coordination.domain.errors import InvalidInput
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import runner as runner_module
from coordination.projections.metrics import projection_metrics
from coordination.projections.parking import HELD_BACK, list_parked, request_retry
from coordination.projections.progress import progress_channel
from coordination.projections.queries import actions, participation
from coordination.projections.runner import ProjectionRunner
from coordination_demo import DemoSummary
from tests.projections.conftest import NOW, eventually, settle
from tests.projections.support import assign, poison_progress, secretariat

TODAY = NOW.date()


async def test_poison_event_parks_only_its_stream_and_can_be_retried(
    system: System,
    db: ReadDatabase,
    runner: ProjectionRunner,
    demo: DemoSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = system.app
    poisoned, healthy = assign(app, demo, "Poisoned"), assign(app, demo, "Healthy")
    poison_progress(monkeypatch, poisoned)
    app.report_progress(secretariat(), poisoned, percent=30)
    app.report_progress(secretariat(), healthy, percent=50)
    app.complete_action(secretariat(), poisoned, outcome="Done after all")
    await settle(runner, app)

    stuck = await actions.get_action(db, poisoned, today=TODAY)
    flowing = await actions.get_action(db, healthy, today=TODAY)
    assert stuck is not None
    assert flowing is not None
    assert (stuck.status, stuck.progress) == ("open", 0)
    assert (flowing.status, flowing.progress) == ("open", 50)
    owner = await participation.get_participation(db, demo.ids["member:Stockholms stad"])
    assert owner is not None
    assert owner.actions_completed >= 1  # another view applied the completion
    parked = await list_parked(db, "actions")
    assert [(p.stream_id, p.stream_version) for p in parked] == [(poisoned, 2), (poisoned, 3)]
    assert parked[0].error == "RuntimeError: a bug in the handler"
    assert parked[1].error == HELD_BACK
    assert await list_parked(db, "participation") == []
    counts = {m.view: m.parked for m in await projection_metrics(db, app)}
    assert counts == {
        "forums": 0,
        "decisions": 0,
        "actions": 2,
        "workshops": 0,
        "participation": 0,
        "partners": 0,
    }

    monkeypatch.undo()
    assert await runner.retry_parked("actions") == []
    fixed = await actions.get_action(db, poisoned, today=TODAY)
    assert fixed is not None
    assert (fixed.status, fixed.progress) == ("completed", 100)


async def test_a_retry_that_fails_again_keeps_the_stream_parked(
    system: System,
    db: ReadDatabase,
    runner: ProjectionRunner,
    demo: DemoSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = system.app
    poisoned = assign(app, demo, "Still poisoned")

    poison_progress(monkeypatch, poisoned, ValueError("still broken"))
    app.report_progress(secretariat(), poisoned, percent=10)
    app.report_progress(secretariat(), poisoned, percent=20)
    await settle(runner, app)
    still = await runner.retry_parked("actions")
    assert [p.error for p in still] == ["ValueError: still broken", HELD_BACK]


async def test_a_retry_asked_for_by_another_process_is_taken_up(
    system: System,
    db: ReadDatabase,
    runner: ProjectionRunner,
    demo: DemoSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request alone, as another process (the command line, a standby) makes it: on
    PostgreSQL its notification wakes the projector (the periodic look is switched off
    here); SQLite has no notifications, and the projector finds it when it next looks."""
    app = system.app
    poisoned = assign(app, demo, "Poisoned elsewhere")
    poison_progress(monkeypatch, poisoned)
    app.report_progress(secretariat(), poisoned, percent=40)
    await settle(runner, app)
    assert len(await list_parked(db, "actions")) == 1
    monkeypatch.undo()
    monkeypatch.setattr(runner_module, "RETRY_LOOK", 3600.0 if db.is_postgres else 0.05)

    assert await request_retry(db, "actions", progress_channel(db, runner.name)) == 1

    async def unparked() -> bool:
        return await list_parked(db, "actions") == []

    await eventually(unparked, timeout=10)
    fixed = await actions.get_action(db, poisoned, today=TODAY)
    assert fixed is not None
    assert fixed.progress == 40


async def test_a_nul_character_recorded_in_an_event_does_not_stop_the_views(
    system: System,
    db: ReadDatabase,
    runner: ProjectionRunner,
    demo: DemoSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # PostgreSQL's text holds no NUL: such a note failed its page's transaction every
    # time, and the projector stopped for every view. The domain now refuses it; an event
    # recorded before that (here, past the check) is written with U+FFFD instead.
    app = system.app
    action = assign(app, demo, "Noted")
    with pytest.raises(InvalidInput, match="NUL"):
        app.report_progress(secretariat(), action, percent=10, note="before\x00after")
    monkeypatch.setattr(action_module, "optional_text", lambda value, _field: value)
    app.report_progress(secretariat(), action, percent=20, note="before\x00after")
    monkeypatch.undo()
    app.report_progress(secretariat(), assign(app, demo, "Later"), percent=30)
    await settle(runner, app)

    noted = await actions.get_action(db, action, today=TODAY)
    assert noted is not None
    stored = "before\ufffdafter" if db.is_postgres else "before\x00after"
    assert (noted.progress, noted.last_note) == (20, stored)
    assert await list_parked(db, "actions") == []
