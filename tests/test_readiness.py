"""/ready: ready once the views have caught up with the log as it stood at their start,
and ready from then on while they follow it."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from coordination.bootstrap import System
from coordination.http.app import create_app
from coordination.projections.runner import ProjectionRunner
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.asgi import serving
from tests.projections.conftest import ORIGIN
from tests.projections.support import assign


async def test_ready_once_the_views_have_caught_up_with_the_log_at_start(
    settings: Settings, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    head = system.app.recorder.max_notification_id()
    held: list[ProjectionRunner] = []

    async def hold(runner: ProjectionRunner) -> None:  # the projector waits for the test
        held.append(runner)

    monkeypatch.setattr(ProjectionRunner, "start", hold)
    async with serving(create_app(settings, system=system)) as client:
        waiting = await client.get("/ready")
        assert waiting.status_code == 503
        assert waiting.json() | {"detail": ""} == {
            "status": "catching_up",
            "database": system.target.describe(),
            "position": head,
            "views_position": 0,
            "head_at_start": head,
            "detail": "",
        }
        assert f"at position 0 of {head}" in waiting.json()["detail"]

        assert await held[0].catch_up() == head
        assert (await client.get("/ready")).status_code == 200

        # Writes after that leave the views behind for a moment: the node stays ready.
        assign(system.app, demo, "Written after the views caught up")
        assert held[0].position < (system.app.recorder.max_notification_id() or 0)
        assert (await client.get("/ready")).json()["status"] == "ready"
