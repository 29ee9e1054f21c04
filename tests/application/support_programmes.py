"""Helpers for tests that need a programme and a cohort with participants."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from tests.application.conftest import World, secretariat

#: Known personal data: tests look for these bytes wherever the node writes.
NAMES = ["Amina Haddad-Öberg", "Leyla Karimova Persson", "Rosa Quispe Lindqvist"]
CONTACTS = ["amina.haddad@example.org", "+46 70 555 01 23", "rosa.quispe@example.net"]
FEEDBACK = "Please add a module on Swedish for the workplace, Leyla"


def launch(world: World, **overrides: Any) -> UUID:
    """Launch the care-work course of the world's partnership (provided by org 3)."""
    arguments: dict[str, Any] = {
        "partnership_id": world.partnership_id,
        "kind": "care_work_course",
        "title": "Care work in Swedish",
        "provider_id": world.orgs[3].id,
        "target_group": "women of foreign origin",
        "curriculum": "Term 1: language of care. Term 2: placements.",
        "duration_months": 24,
    }
    arguments.update(overrides)
    programme_id = world.app.launch_programme(secretariat(), **arguments).created_id
    assert programme_id is not None
    return programme_id


def open_cohort(world: World, programme_id: UUID, **overrides: Any) -> UUID:
    """Open a cohort of the programme with three places."""
    arguments: dict[str, Any] = {
        "title": "Cohort 2026",
        "places": 3,
        "starts_on": date(2026, 2, 1),
        "partner_ids": [world.orgs[4].id],
    }
    arguments.update(overrides)
    cohort_id = world.app.open_cohort(secretariat(), programme_id, **arguments).created_id
    assert cohort_id is not None
    return cohort_id


def enrol(world: World, cohort_id: UUID, index: int = 0, **overrides: Any) -> UUID:
    """Enrol a new person with the known name and contact number `index`."""
    participant_id = overrides.pop("participant_id", uuid4())
    world.app.enrol(
        secretariat(),
        cohort_id,
        participant_id=participant_id,
        name=overrides.pop("name", NAMES[index]),
        contact=overrides.pop("contact", CONTACTS[index]),
        **overrides,
    )
    return UUID(str(participant_id))
