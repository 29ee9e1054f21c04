"""Commands the projection tests issue on top of the demo partnership."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from coordination.application import Coordination
from coordination.domain.action import Action
from coordination.domain.context import Context
from coordination.projections.changes import Writer
from coordination.projections.views import actions as actions_view
from coordination_demo import DemoSummary
from tests.projections.conftest import NOW, ORIGIN


def secretariat() -> Context:
    return Context(actor="secretariat", origin=ORIGIN, occurred_at=NOW)


def assign(app: Coordination, demo: DemoSummary, description: str) -> UUID:
    """A new open action of Stockholms stad in the procurement group; returns its id."""
    created = app.assign_action(
        secretariat(),
        partnership_id=demo.partnership_id,
        group_id=demo.ids["group:1"],
        owner_id=demo.ids["member:Stockholms stad"],
        description=description,
        due_on=date(2026, 6, 30),
    ).created_id
    assert created is not None
    return created


def poison_progress(
    monkeypatch: pytest.MonkeyPatch,
    action_id: UUID,
    error: Exception | None = None,
) -> None:
    """Make the actions view fail on `action_id`'s progress reports (a poison event)
    until `monkeypatch.undo()`; every other action's reports still apply."""
    handlers = actions_view.VIEW.handlers
    original = handlers[Action.ProgressReported.TOPIC]

    def poison(event: Any, writer: Writer) -> None:
        if event.originator_id == action_id:
            raise error or RuntimeError("a bug in the handler")
        original(event, writer)

    monkeypatch.setitem(handlers, Action.ProgressReported.TOPIC, poison)
