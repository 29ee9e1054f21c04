"""Queries over the social-accounting cycles: their status, per organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import DEFAULT_FIRST, Page, Query, paginate
from coordination.projections.tables import parse_uuid, to_day, to_moment, to_uuid


@dataclass(frozen=True)
class CycleView:
    """Where a cycle stands, with the counts of what it has recorded so far."""

    id: UUID
    partnership_id: UUID
    organisation_id: UUID
    period_start: date
    period_end: date
    previous_cycle_id: UUID | None
    stage: str
    purpose: str | None
    objectives: int
    stakeholder_groups: int
    indicators: int
    consultations: int
    open_queries: int
    accounts_version: int
    accounts_hash: str | None
    opinion: str | None
    reservations: str | None
    published_where: str | None
    started_at: datetime
    updated_at: datetime


def _convert(r: Row) -> CycleView:
    start, end = to_day(r["period_start"]), to_day(r["period_end"])
    started, updated = to_moment(r["started_at"]), to_moment(r["updated_at"])
    assert start is not None
    assert end is not None
    assert started is not None
    assert updated is not None
    return CycleView(
        id=parse_uuid(r["cycle_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        organisation_id=parse_uuid(r["organisation_id"]),
        period_start=start,
        period_end=end,
        previous_cycle_id=to_uuid(r["previous_cycle_id"]),
        stage=r["stage"],
        purpose=r["purpose"],
        objectives=int(r["objectives"]),
        stakeholder_groups=int(r["stakeholder_groups"]),
        indicators=int(r["indicators"]),
        consultations=int(r["consultations"]),
        open_queries=int(r["open_queries"]),
        accounts_version=int(r["accounts_version"] or 0),
        accounts_hash=r["accounts_hash"],
        opinion=r["opinion"],
        reservations=r["reservations"],
        published_where=r["published_where"],
        started_at=started,
        updated_at=updated,
    )


async def list_cycles(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    organisation_id: UUID | None = None,
    stage: str | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[CycleView]:
    """Cycles by organisation and period, filtered."""
    q = Query("SELECT c.*, {keys} FROM rv_accounting_cycles c")
    if partnership_id is not None:
        q.where("c.partnership_id = {}", str(partnership_id))
    if organisation_id is not None:
        q.where("c.organisation_id = {}", str(organisation_id))
    if stage is not None:
        q.where("c.stage = {}", stage)
    return await paginate(
        db,
        db.cursor_key,
        "accounting_cycles",
        q,
        ("c.organisation_id", "c.period_start", "c.cycle_id"),
        _convert,
        first=first,
        after=after,
    )


async def get_cycle(db: ReadDatabase, cycle_id: UUID) -> CycleView | None:
    row = await db.fetchrow("SELECT * FROM rv_accounting_cycles WHERE cycle_id = $1", str(cycle_id))
    return _convert(row) if row else None
