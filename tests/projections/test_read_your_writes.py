"""A mutation can wait until the views include its events; subscribers hear of changes."""

from __future__ import annotations

import asyncio

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.metrics import projection_metrics
from coordination.projections.positions import position_of
from coordination.projections.queries import actions
from coordination.projections.runner import ProjectionRunner
from coordination_demo import DemoSummary
from tests.projections.conftest import NOW, settle
from tests.projections.support import assign


async def test_wait_until_the_commands_position(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    app = system.app
    await settle(runner, app)
    action = assign(app, demo, "Read me right after writing me")
    position = app.recorder.max_notification_id() or 0
    assert await runner.wait_until(position, 5.0)
    assert await actions.get_action(db, action, today=NOW.date()) is not None
    exact = await position_of(db, app, action, 1)
    assert exact is not None
    assert exact <= position
    assert await runner.wait_until(exact, 0.01)
    assert not await runner.wait_until(position + 1000, 0.1)


async def test_subscribers_hear_which_forum_changed(
    system: System, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    app = system.app
    await settle(runner, app)
    async with runner.subscribe() as updates:
        action = assign(app, demo, "Tell the group")
        async with asyncio.timeout(10):
            async for update in updates:
                if update.view == "actions":
                    break
    assert action in update.stream_ids
    assert demo.ids["group:1"] in update.forum_ids
    assert update.position >= (app.recorder.max_notification_id() or 0) - 1


async def test_lag_shows_while_the_projector_is_stopped(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    app = system.app
    await settle(runner, app)
    assert {m.lag for m in await projection_metrics(db, app)} == {0}
    await runner.stop()
    assign(app, demo, "Nobody projects me yet")
    metrics = await projection_metrics(db, app)
    assert all(m.lag > 0 and m.head == app.recorder.max_notification_id() for m in metrics)


async def test_a_dropped_subscription_unsubscribes(runner: ProjectionRunner) -> None:
    kept = runner.subscribe()
    dropped = runner.subscribe()
    assert runner.broadcaster.subscribers == 2
    del dropped
    assert runner.broadcaster.subscribers == 1
    await kept.aclose()
    assert runner.broadcaster.subscribers == 0
