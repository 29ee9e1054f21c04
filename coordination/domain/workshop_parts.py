"""B4 value objects and checks: the vocabularies, limits and parsers a workshop uses.

Kept beside `workshop.py` so the aggregate reads as its rules; everything here is a pure
function of its arguments and raises `InvalidInput` with a reason a user understands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from coordination.domain.errors import InvalidInput
from coordination.domain.values import NAME_MAX, TITLE_MAX, in_utc, name, ordered

#: A workshop larger than this is a conference, not something this register plans.
CAPACITY_MAX = 10_000
#: Organisers named in one plan, per kind (working groups, partners).
ORGANISERS_MAX = 20
AGENDA_ITEMS_MAX = 50
AGENDA_ITEM_MAX = TITLE_MAX
#: One attendance entry per place at most, so one batch never exceeds the largest workshop.
ATTENDEES_MAX = CAPACITY_MAX


class WorkshopFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class WorkshopStatus(StrEnum):
    PLANNED = "planned"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    HELD = "held"


class MinutesStatus(StrEnum):
    NONE = "none"
    DRAFTED = "drafted"
    APPROVED = "approved"


class InviteeKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


@dataclass(frozen=True)
class Registration:
    """One person's place at a workshop, for an organisation, in a role."""

    person_id: UUID
    organisation_id: UUID
    role: str
    active: bool = True


def checked_schedule(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """A workshop's start and end, both time-zone aware, the end after the start."""
    start, end = in_utc(starts_at, "starts_at"), in_utc(ends_at, "ends_at")
    ordered(start, end, "ends_at")
    return start, end


def checked_start(start: datetime, now: datetime, *, records_past: bool) -> None:
    """Refuse a start that has passed (or, for the record of a past workshop, one to come).

    Raises:
        InvalidInput: The start is on the wrong side of `now` for what the command says.
    """
    if records_past and start > now:
        raise InvalidInput(
            f"must have passed for the record of a past workshop: {start.isoformat()} is"
            " still to come (plan it as a workshop to come instead)",
            field="starts_at",
        )
    if not records_past and start <= now:
        raise InvalidInput(
            f"must be later than now: {start.isoformat()} has passed (a workshop that"
            " already took place is planned as the record of a past workshop)",
            field="starts_at",
        )


def checked_capacity(value: int) -> int:
    """A number of places from 1 to `CAPACITY_MAX`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= CAPACITY_MAX:
        raise InvalidInput(f"must be a whole number from 1 to {CAPACITY_MAX}", field="capacity")
    return value


def checked_organisers(
    group_ids: Sequence[UUID], partners: Sequence[str]
) -> tuple[list[UUID], list[str]]:
    """The organising working groups and partners: at least one, none twice."""
    groups = list(group_ids)
    names = [
        name(partner, f"organiser_partners[{index}]", max_length=NAME_MAX)
        for index, partner in enumerate(partners)
    ]
    if not groups and not names:
        raise InvalidInput(
            "is empty and no partner organises it: a workshop needs at least one organiser,"
            " a working group or a partner",
            field="organiser_group_ids",
        )
    if len(groups) > ORGANISERS_MAX:
        raise InvalidInput(f"names more than {ORGANISERS_MAX} groups", field="organiser_group_ids")
    if len(names) > ORGANISERS_MAX:
        raise InvalidInput(f"names more than {ORGANISERS_MAX} partners", field="organiser_partners")
    if len(set(groups)) != len(groups):
        raise InvalidInput("names a working group twice", field="organiser_group_ids")
    if len({name.casefold() for name in names}) != len(names):
        raise InvalidInput("names a partner twice", field="organiser_partners")
    return groups, names


def checked_agenda(items: Sequence[str]) -> list[str]:
    """Agenda items: at least one, each non-empty and short enough to read as a heading."""
    if isinstance(items, str):
        raise InvalidInput("must be a list of agenda items", field="items")
    if not items:
        raise InvalidInput("must hold at least one agenda item", field="items")
    if len(items) > AGENDA_ITEMS_MAX:
        raise InvalidInput(
            f"holds {len(items)} agenda items; the limit is {AGENDA_ITEMS_MAX}", field="items"
        )
    return [
        name(item, f"items[{index}]", max_length=AGENDA_ITEM_MAX)
        for index, item in enumerate(items)
    ]


def checked_attendees(entries: Sequence[tuple[UUID, UUID]]) -> list[dict[str, UUID]]:
    """Attendance entries as (person, organisation) pairs, each person once."""
    if not entries:
        raise InvalidInput("must list at least one person", field="attendees")
    if len(entries) > ATTENDEES_MAX:
        raise InvalidInput(f"lists at most {ATTENDEES_MAX} people at a time", field="attendees")
    seen: set[UUID] = set()
    parsed: list[dict[str, UUID]] = []
    for index, entry in enumerate(entries):
        try:
            person_id, organisation_id = entry
        except (TypeError, ValueError):
            raise InvalidInput(
                "must be a person id and an organisation id", field=f"attendees[{index}]"
            ) from None
        if not isinstance(person_id, UUID) or not isinstance(organisation_id, UUID):
            raise InvalidInput(
                "must be a person id and an organisation id", field=f"attendees[{index}]"
            )
        if person_id in seen:
            raise InvalidInput(
                f"names person {person_id}, who is listed already",
                field=f"attendees[{index}].person_id",
            )
        seen.add(person_id)
        parsed.append({"person_id": person_id, "organisation_id": organisation_id})
    return parsed
