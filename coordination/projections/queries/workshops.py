"""Queries over the workshop calendar: workshops, registrations, attendance by kind."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import DEFAULT_FIRST, Page, Query, paginate
from coordination.projections.tables import moment, parse_uuid, to_moment, to_uuid


@dataclass(frozen=True)
class WorkshopView:
    id: UUID
    partnership_id: UUID
    theme_id: UUID
    title: str
    format: str
    venue: str | None
    capacity: int
    starts_at: datetime
    ends_at: datetime
    status: str
    cancel_reason: str | None
    held_at: datetime | None
    audience_description: str
    organiser_group_ids: list[UUID]
    organiser_partners: list[str]
    agenda: list[str]
    minutes_status: str
    minutes_hash: str | None
    registered: int
    attended: int
    follow_up_action_ids: list[UUID]


@dataclass(frozen=True)
class RegistrationView:
    id: UUID
    workshop_id: UUID
    person_id: UUID
    organisation_id: UUID
    role: str
    active: bool


@dataclass(frozen=True)
class AttendanceView:
    workshop_id: UUID
    person_id: UUID
    organisation_id: UUID


@dataclass(frozen=True)
class KindCount:
    """Active registrations and attendance of one kind of organisation at a workshop."""

    kind: str
    registered: int
    attended: int


def _workshop(r: Row) -> WorkshopView:
    return WorkshopView(
        id=parse_uuid(r["workshop_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        theme_id=parse_uuid(r["theme_id"]),
        title=r["title"],
        format=r["format"],
        venue=r["venue"],
        capacity=int(r["capacity"]),
        starts_at=to_moment(r["starts_at"]),  # type: ignore[arg-type]
        ends_at=to_moment(r["ends_at"]),  # type: ignore[arg-type]
        status=r["status"],
        cancel_reason=r["cancel_reason"],
        held_at=to_moment(r["held_at"]),
        audience_description=r["audience_description"],
        organiser_group_ids=[UUID(g) for g in json.loads(r["organiser_group_ids"])],
        organiser_partners=list(json.loads(r["organiser_partners"])),
        agenda=list(json.loads(r["agenda"])),
        minutes_status=r["minutes_status"],
        minutes_hash=r["minutes_hash"],
        registered=int(r["registered"]),
        attended=int(r["attended"]),
        follow_up_action_ids=[],
    )


async def _with_follow_ups(db: ReadDatabase, workshops: list[WorkshopView]) -> list[WorkshopView]:
    if not workshops:
        return []
    ids = [str(w.id) for w in workshops]
    marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
    found: dict[UUID, list[UUID]] = {w.id: [] for w in workshops}
    for r in await db.fetch(
        "SELECT workshop_id, action_id FROM rv_workshop_follow_ups"  # noqa: S608
        f" WHERE workshop_id IN ({marks}) ORDER BY seq, action_id",
        *ids,
    ):
        found[parse_uuid(r["workshop_id"])].append(parse_uuid(r["action_id"]))
    return [replace(w, follow_up_action_ids=found[w.id]) for w in workshops]


async def list_workshops(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    theme_id: UUID | None = None,
    status: str | None = None,
    group_id: UUID | None = None,
    organisation_id: UUID | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[WorkshopView]:
    """The calendar: workshops by start time, filtered."""
    q = Query("SELECT w.*, {keys} FROM rv_workshops w")
    if partnership_id is not None:
        q.where("w.partnership_id = {}", str(partnership_id))
    if theme_id is not None:
        q.where("w.theme_id = {}", str(theme_id))
    if status is not None:
        q.where("w.status = {}", status)
    if group_id is not None:
        q.where(
            "EXISTS (SELECT 1 FROM rv_workshop_organisers o"
            " WHERE o.workshop_id = w.workshop_id AND o.group_id = {})",
            str(group_id),
        )
    if organisation_id is not None:
        q.where(
            "EXISTS (SELECT 1 FROM rv_workshop_registrations r"
            " WHERE r.workshop_id = w.workshop_id AND r.org_id = {} AND r.active = 1)",
            str(organisation_id),
        )
    if starts_from is not None:
        q.where("w.starts_at >= {}", moment(starts_from))
    if starts_before is not None:
        q.where("w.starts_at < {}", moment(starts_before))
    page = await paginate(
        db,
        db.cursor_key,
        "workshops",
        q,
        ("w.starts_at", "w.workshop_id"),
        _workshop,
        first=first,
        after=after,
    )
    nodes = await _with_follow_ups(db, page.nodes)
    return replace(page, edges=[e.with_node(n) for e, n in zip(page.edges, nodes, strict=True)])


async def get_workshop(db: ReadDatabase, workshop_id: UUID) -> WorkshopView | None:
    row = await db.fetchrow("SELECT * FROM rv_workshops WHERE workshop_id = $1", str(workshop_id))
    if row is None:
        return None
    return (await _with_follow_ups(db, [_workshop(row)]))[0]


def _registration(r: Row) -> RegistrationView:
    return RegistrationView(
        id=parse_uuid(r["registration_id"]),
        workshop_id=parse_uuid(r["workshop_id"]),
        person_id=parse_uuid(r["person_id"]),
        organisation_id=parse_uuid(r["org_id"]),
        role=r["role"],
        active=bool(r["active"]),
    )


async def list_registrations(
    db: ReadDatabase,
    workshop_id: UUID,
    *,
    include_cancelled: bool = False,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[RegistrationView]:
    """A workshop's registrations in the order they were made."""
    q = Query("SELECT r.*, {keys} FROM rv_workshop_registrations r")
    q.where("r.workshop_id = {}", str(workshop_id))
    if not include_cancelled:
        q.where("r.active = 1")
    return await paginate(
        db,
        db.cursor_key,
        "registrations",
        q,
        ("r.seq", "r.registration_id"),
        _registration,
        first=first,
        after=after,
    )


def _attendee(r: Row) -> AttendanceView:
    org = to_uuid(r["org_id"])
    assert org is not None
    return AttendanceView(parse_uuid(r["workshop_id"]), parse_uuid(r["person_id"]), org)


async def list_attendance(
    db: ReadDatabase, workshop_id: UUID, *, first: int = DEFAULT_FIRST, after: str | None = None
) -> Page[AttendanceView]:
    """Who attended a workshop, for which organisation, by person id."""
    q = Query("SELECT a.*, {keys} FROM rv_workshop_attendance a")
    q.where("a.workshop_id = {}", str(workshop_id))
    return await paginate(
        db,
        db.cursor_key,
        "attendance",
        q,
        ("a.workshop_id", "a.person_id"),
        _attendee,
        first=first,
        after=after,
    )


async def attendance_by_kind(db: ReadDatabase, workshop_id: UUID) -> list[KindCount]:
    """Active registrations and attendance per kind of organisation (programme evidence)."""
    wid = str(workshop_id)
    rows = await db.fetch(
        "SELECT COALESCE(o.kind, 'unknown') AS kind, SUM(x.registered) AS registered,"
        " SUM(x.attended) AS attended FROM ("
        "  SELECT org_id, 1 AS registered, 0 AS attended FROM rv_workshop_registrations"
        "  WHERE workshop_id = $1 AND active = 1"
        "  UNION ALL"
        "  SELECT org_id, 0, 1 FROM rv_workshop_attendance WHERE workshop_id = $1"
        " ) x LEFT JOIN rv_workshop_orgs o ON o.org_id = x.org_id"
        " GROUP BY COALESCE(o.kind, 'unknown') ORDER BY kind",
        wid,
    )
    return [KindCount(r["kind"], int(r["registered"]), int(r["attended"])) for r in rows]
