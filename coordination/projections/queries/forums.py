"""Queries over the forums view: forums, their members, organisations, mandates, themes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import DEFAULT_FIRST, Page, Query, paginate
from coordination.projections.tables import parse_uuid, to_day, to_moment, to_uuid


@dataclass(frozen=True)
class Forum:
    """The partnership (``kind = partnership``) or one of its working groups."""

    id: UUID
    kind: str
    partnership_id: UUID
    name: str
    theme_id: UUID | None
    purpose: str | None
    decides: str | None
    default_rule: str | None
    status: str
    close_reason: str | None
    convenor_person_id: UUID | None
    convenor_organisation_id: UUID | None
    programme: str | None
    region: str | None
    period_start: date | None
    period_end: date | None
    agreement_version: int
    agreement_hash: str | None
    created_at: datetime
    member_count: int


@dataclass(frozen=True)
class ForumMember:
    forum_id: UUID
    organisation_id: UUID
    name: str | None
    kind: str | None
    active: bool
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class Organisation:
    id: UUID
    partnership_id: UUID
    name: str
    kind: str
    admitted_on: date
    withdrawn_on: date | None
    withdrawal_reason: str | None


@dataclass(frozen=True)
class Mandate:
    """A dated mandate of a person (pseudonymous id) to represent an organisation."""

    id: UUID
    partnership_id: UUID
    organisation_id: UUID
    person_id: UUID
    starts_on: date
    ends_on: date | None
    ended_on: date | None
    alternate: bool

    def covers(self, on: date) -> bool:
        """True when the mandate is in force on `on`."""
        ends = [d for d in (self.ends_on, self.ended_on) if d is not None]
        return self.starts_on <= on and (not ends or on <= min(ends))


@dataclass(frozen=True)
class Theme:
    id: UUID
    partnership_id: UUID
    name: str
    archived: bool


def _forum(r: Row) -> Forum:
    return Forum(
        id=parse_uuid(r["forum_id"]),
        kind=r["kind"],
        partnership_id=parse_uuid(r["partnership_id"]),
        name=r["name"],
        theme_id=to_uuid(r["theme_id"]),
        purpose=r["purpose"],
        decides=r["decides"],
        default_rule=r["default_rule"],
        status=r["status"],
        close_reason=r["close_reason"],
        convenor_person_id=to_uuid(r["convenor_person_id"]),
        convenor_organisation_id=to_uuid(r["convenor_org_id"]),
        programme=r["programme"],
        region=r["region"],
        period_start=to_day(r["period_start"]),
        period_end=to_day(r["period_end"]),
        agreement_version=int(r["agreement_version"] or 0),
        agreement_hash=r["agreement_hash"],
        created_at=to_moment(r["created_at"]),  # type: ignore[arg-type]
        member_count=int(r["member_count"]),
    )


async def list_forums(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    kind: str | None = None,
    theme_id: UUID | None = None,
    status: str | None = None,
    member_id: UUID | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[Forum]:
    """Forums in creation order, filtered by partnership, kind, theme, status or member."""
    q = Query("SELECT f.*, {keys} FROM rv_forums f")
    if partnership_id is not None:
        q.where("f.partnership_id = {}", str(partnership_id))
    if kind is not None:
        q.where("f.kind = {}", kind)
    if theme_id is not None:
        q.where("f.theme_id = {}", str(theme_id))
    if status is not None:
        q.where("f.status = {}", status)
    if member_id is not None:
        q.where(
            "EXISTS (SELECT 1 FROM rv_forum_members m WHERE m.forum_id = f.forum_id"
            " AND m.org_id = {} AND m.active = 1)",
            str(member_id),
        )
    return await paginate(
        db, db.cursor_key, "forums", q, ("f.seq", "f.forum_id"), _forum, first=first, after=after
    )


async def get_forum(db: ReadDatabase, forum_id: UUID) -> Forum | None:
    row = await db.fetchrow("SELECT * FROM rv_forums WHERE forum_id = $1", str(forum_id))
    return _forum(row) if row else None


def _member(r: Row) -> ForumMember:
    return ForumMember(
        forum_id=parse_uuid(r["forum_id"]),
        organisation_id=parse_uuid(r["org_id"]),
        name=r["name"],
        kind=r["kind"],
        active=bool(r["active"]),
        joined_at=to_moment(r["joined_at"]),  # type: ignore[arg-type]
        left_at=to_moment(r["left_at"]),
    )


async def list_forum_members(
    db: ReadDatabase,
    forum_id: UUID,
    *,
    include_former: bool = False,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[ForumMember]:
    """A forum's member organisations, in the order they (last) joined."""
    q = Query(
        "SELECT m.*, o.name, o.kind, {keys} FROM rv_forum_members m"
        " LEFT JOIN rv_organisations o ON o.org_id = m.org_id"
    )
    q.where("m.forum_id = {}", str(forum_id))
    if not include_former:
        q.where("m.active = 1")
    return await paginate(
        db,
        db.cursor_key,
        "forum_members",
        q,
        ("m.seq", "m.org_id"),
        _member,
        first=first,
        after=after,
    )


def _organisation(r: Row) -> Organisation:
    return Organisation(
        id=parse_uuid(r["org_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        name=r["name"],
        kind=r["kind"],
        admitted_on=to_day(r["admitted_on"]),  # type: ignore[arg-type]
        withdrawn_on=to_day(r["withdrawn_on"]),
        withdrawal_reason=r["withdrawal_reason"],
    )


async def list_organisations(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    kind: str | None = None,
    include_withdrawn: bool = False,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[Organisation]:
    """Member organisations by name."""
    q = Query("SELECT o.*, {keys} FROM rv_organisations o")
    if partnership_id is not None:
        q.where("o.partnership_id = {}", str(partnership_id))
    if kind is not None:
        q.where("o.kind = {}", kind)
    if not include_withdrawn:
        q.where("o.withdrawn_on IS NULL")
    return await paginate(
        db,
        db.cursor_key,
        "organisations",
        q,
        ("o.name", "o.org_id"),
        _organisation,
        first=first,
        after=after,
    )


async def get_organisation(db: ReadDatabase, org_id: UUID) -> Organisation | None:
    row = await db.fetchrow("SELECT * FROM rv_organisations WHERE org_id = $1", str(org_id))
    return _organisation(row) if row else None


def _mandate(r: Row) -> Mandate:
    return Mandate(
        id=parse_uuid(r["mandate_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        organisation_id=parse_uuid(r["org_id"]),
        person_id=parse_uuid(r["person_id"]),
        starts_on=to_day(r["starts_on"]),  # type: ignore[arg-type]
        ends_on=to_day(r["ends_on"]),
        ended_on=to_day(r["ended_on"]),
        alternate=bool(r["alternate"]),
    )


async def list_representatives(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    organisation_id: UUID | None = None,
    person_id: UUID | None = None,
    on: date | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[Mandate]:
    """Mandates in appointment order; with `on`, only those in force that day."""
    q = Query("SELECT r.*, {keys} FROM rv_mandates r")
    if partnership_id is not None:
        q.where("r.partnership_id = {}", str(partnership_id))
    if organisation_id is not None:
        q.where("r.org_id = {}", str(organisation_id))
    if person_id is not None:
        q.where("r.person_id = {}", str(person_id))
    if on is not None:
        day = on.isoformat()
        q.where(
            "r.starts_on <= {} AND (r.ends_on IS NULL OR r.ends_on >= {})"
            " AND (r.ended_on IS NULL OR r.ended_on >= {})",
            day,
            day,
            day,
        )
    return await paginate(
        db,
        db.cursor_key,
        "mandates",
        q,
        ("r.seq", "r.mandate_id"),
        _mandate,
        first=first,
        after=after,
    )


def _theme(r: Row) -> Theme:
    return Theme(
        parse_uuid(r["theme_id"]), parse_uuid(r["partnership_id"]), r["name"], bool(r["archived"])
    )


async def list_themes(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    include_archived: bool = False,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[Theme]:
    """Themes in the order they were defined."""
    q = Query("SELECT t.*, {keys} FROM rv_themes t")
    if partnership_id is not None:
        q.where("t.partnership_id = {}", str(partnership_id))
    if not include_archived:
        q.where("t.archived = 0")
    return await paginate(
        db, db.cursor_key, "themes", q, ("t.seq", "t.theme_id"), _theme, first=first, after=after
    )
