"""Commands the projection tests issue on top of the demo partnership."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from coordination.application import Coordination
from coordination.demo import DemoSummary
from coordination.domain.context import Context
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
