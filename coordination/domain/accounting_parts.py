"""B6 value objects and checks: the stages of a social-accounting cycle, the audit
opinions, and the parsers of what a cycle records.

Kept beside `accounting_cycle.py` so the aggregate reads as its rules; everything here
is a pure function of its arguments and raises `InvalidInput` with a reason a user
understands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from coordination.domain.errors import InvalidInput
from coordination.domain.values import TITLE_MAX, name

#: Items of one list (material indicators, panel members, action plan items).
LIST_MAX = 100


class CycleStage(StrEnum):
    """Where a cycle stands; each stage opens the steps of the next and closes earlier ones."""

    STARTED = "started"
    SCOPING = "scoping"
    MATERIALITY_DETERMINED = "materiality_determined"
    ACCOUNTS_COMPILED = "accounts_compiled"
    PANEL_CONVENED = "panel_convened"
    STATEMENT_ISSUED = "statement_issued"
    PUBLISHED = "published"
    CLOSED = "closed"


#: Stages in the order a cycle passes them.
STAGE_ORDER = tuple(CycleStage)


class AuditOpinion(StrEnum):
    """What the independent audit panel states about the accounts."""

    VERIFIED = "verified"
    WITH_RESERVATIONS = "with_reservations"


@dataclass(frozen=True)
class Indicator:
    """An indicator of an objective: what is measured, in which unit."""

    objective_id: UUID
    name: str
    unit: str


def checked_ids(values: Sequence[UUID], field: str, *, what: str) -> list[UUID]:
    """A non-empty list of distinct ids, at most `LIST_MAX`."""
    if isinstance(values, (str, bytes)) or not values:
        raise InvalidInput(f"must name at least one {what}", field=field)
    if len(values) > LIST_MAX:
        raise InvalidInput(f"names {len(values)} {what}s; the limit is {LIST_MAX}", field=field)
    ids = list(values)
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"names a {what} twice", field=field)
    return ids


def checked_items(items: Sequence[str], field: str) -> list[str]:
    """A non-empty list of one-line items (an action plan's), at most `LIST_MAX`."""
    if isinstance(items, str) or not items:
        raise InvalidInput("must hold at least one item", field=field)
    if len(items) > LIST_MAX:
        raise InvalidInput(f"holds {len(items)} items; the limit is {LIST_MAX}", field=field)
    return [
        name(item, f"{field}[{index}]", max_length=TITLE_MAX) for index, item in enumerate(items)
    ]


def checked_panel_members(members: Sequence[tuple[UUID, UUID]]) -> list[dict[str, UUID]]:
    """Panel members as (person, stakeholder group) pairs, each person once."""
    if not members:
        raise InvalidInput(
            "must list at least one member from a stakeholder group", field="members"
        )
    if len(members) > LIST_MAX:
        raise InvalidInput(f"lists at most {LIST_MAX} people", field="members")
    seen: set[UUID] = set()
    parsed: list[dict[str, UUID]] = []
    for index, (person_id, group_id) in enumerate(members):
        if person_id in seen:
            raise InvalidInput(
                f"names person {person_id}, who is listed already",
                field=f"members[{index}].person_id",
            )
        seen.add(person_id)
        parsed.append({"person_id": person_id, "stakeholder_group_id": group_id})
    return parsed
