"""Helpers for tests that need a workshop: plan one, hold it, read its stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from coordination.application import Coordination
from tests.application.conftest import NOW, World, secretariat

#: The workshop of these tests starts a week after the fixtures' "now".
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=7)
#: Business time once the workshop has started.
DURING = START + timedelta(hours=1)


def topics(app: Coordination, stream_id: UUID) -> list[str]:
    """The topics of a stream's events, oldest first (empty for an unknown stream)."""
    return [type(e).TOPIC for e in app.repository.event_store.get(stream_id)]  # type: ignore[attr-defined]


def plan(world: World, **overrides: Any) -> UUID:
    """Plan a workshop of the world's partnership; any argument can be overridden."""
    arguments: dict[str, Any] = {
        "partnership_id": world.partnership_id,
        "organiser_group_ids": [],
        "organiser_partners": ["Coompanion"],
        "theme_id": world.themes["Support services"],
        "title": "Buying support services from social enterprises",
        "format": "hybrid",
        "venue": "Stockholm city hall, room 3",
        "capacity": 30,
        "starts_at": START,
        "ends_at": END,
        "audience_description": "municipal representatives and social-economy actors",
    }
    arguments.update(overrides)
    workshop_id = world.app.plan_workshop(secretariat(NOW), **arguments).created_id
    assert workshop_id is not None
    return workshop_id


def held(world: World, **overrides: Any) -> UUID:
    """A workshop planned as by `plan` and held an hour after it started."""
    workshop_id = plan(world, **overrides)
    world.app.hold_workshop(secretariat(DURING), workshop_id)
    return workshop_id
