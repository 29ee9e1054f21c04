"""Queries over the dissemination record: activities, and what each organisation changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import Query
from coordination.projections.tables import parse_uuid, to_day

#: The most activities or outcomes one record lists (the programme's scale is far below).
RECORD_MAX = 1000


@dataclass(frozen=True)
class ActivityView:
    id: UUID
    partnership_id: UUID
    responsible_id: UUID
    title: str
    channel: str
    audience_description: str
    planned_on: date
    status: str
    held_on: date | None
    reach: int | None
    evidence_hash: str | None


@dataclass(frozen=True)
class OutcomeView:
    """An uptake or a policy influence, of one organisation, from one activity."""

    id: UUID
    dissemination_id: UUID
    organisation_id: UUID
    kind: str
    description: str
    on_day: date
    evidence_hash: str | None


def _activity(r: Row) -> ActivityView:
    planned = to_day(r["planned_on"])
    assert planned is not None
    return ActivityView(
        id=parse_uuid(r["dissemination_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        responsible_id=parse_uuid(r["responsible_id"]),
        title=r["title"],
        channel=r["channel"],
        audience_description=r["audience_description"],
        planned_on=planned,
        status=r["status"],
        held_on=to_day(r["held_on"]),
        reach=int(r["reach"]) if r["reach"] is not None else None,
        evidence_hash=r["evidence_hash"],
    )


def _outcome(r: Row) -> OutcomeView:
    on = to_day(r["on_day"])
    assert on is not None
    return OutcomeView(
        id=parse_uuid(r["outcome_id"]),
        dissemination_id=parse_uuid(r["dissemination_id"]),
        organisation_id=parse_uuid(r["organisation_id"]),
        kind=r["kind"],
        description=r["description"],
        on_day=on,
        evidence_hash=r["evidence_hash"],
    )


async def activities(
    db: ReadDatabase, *, responsible_id: UUID | None = None, partnership_id: UUID | None = None
) -> list[ActivityView]:
    """Activities by the day planned, of one responsible organisation or all."""
    q = Query("SELECT * FROM rv_disseminations")
    if responsible_id is not None:
        q.where("responsible_id = {}", str(responsible_id))
    if partnership_id is not None:
        q.where("partnership_id = {}", str(partnership_id))
    rows = await db.fetch(
        q.sql(f" ORDER BY planned_on, dissemination_id LIMIT {RECORD_MAX}"), *q.args
    )
    return [_activity(r) for r in rows]


async def outcomes(
    db: ReadDatabase, *, organisation_id: UUID | None = None, dissemination_id: UUID | None = None
) -> list[OutcomeView]:
    """Uptake and policy influence by day, of one organisation or one activity."""
    q = Query("SELECT * FROM rv_dissemination_outcomes")
    if organisation_id is not None:
        q.where("organisation_id = {}", str(organisation_id))
    if dissemination_id is not None:
        q.where("dissemination_id = {}", str(dissemination_id))
    rows = await db.fetch(q.sql(f" ORDER BY on_day, outcome_id LIMIT {RECORD_MAX}"), *q.args)
    return [_outcome(r) for r in rows]
