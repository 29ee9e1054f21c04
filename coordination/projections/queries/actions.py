"""Queries over the action tracker; "overdue" is decided here, from the caller's today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import DEFAULT_FIRST, Page, Query, paginate
from coordination.projections.queries.access import ForumScope
from coordination.projections.tables import parse_uuid, to_day, to_moment, to_uuid


@dataclass(frozen=True)
class ActionView:
    """An action; `overdue` is true when it is open and its due date is before "today"."""

    id: UUID
    partnership_id: UUID
    group_id: UUID | None
    theme_id: UUID | None
    owner_id: UUID
    description: str
    due_on: date
    source_kind: str
    source_id: UUID | None
    status: str
    progress: int
    last_note: str | None
    outcome: str | None
    drop_reason: str | None
    assigned_at: datetime
    overdue: bool


def _converter(today: date):  # type: ignore[no-untyped-def]
    def convert(r: Row) -> ActionView:
        due = to_day(r["due_on"])
        assert due is not None
        return ActionView(
            id=parse_uuid(r["action_id"]),
            partnership_id=parse_uuid(r["partnership_id"]),
            group_id=to_uuid(r["group_id"]),
            theme_id=to_uuid(r["theme_id"]),
            owner_id=parse_uuid(r["owner_id"]),
            description=r["description"],
            due_on=due,
            source_kind=r["source_kind"],
            source_id=to_uuid(r["source_id"]),
            status=r["status"],
            progress=int(r["progress"]),
            last_note=r["last_note"],
            outcome=r["outcome"],
            drop_reason=r["drop_reason"],
            assigned_at=to_moment(r["assigned_at"]),  # type: ignore[arg-type]
            overdue=r["status"] == "open" and due < today,
        )

    return convert


_SELECT = (
    "SELECT a.*, g.theme_id, {keys} FROM rv_actions a"
    " LEFT JOIN rv_action_groups g ON g.group_id = a.group_id"
)


async def list_actions(
    db: ReadDatabase,
    *,
    today: date,
    partnership_id: UUID | None = None,
    owner_id: UUID | None = None,
    group_id: UUID | None = None,
    theme_id: UUID | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    due_from: date | None = None,
    due_before: date | None = None,
    readable: ForumScope | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[ActionView]:
    """Actions by due date, filtered; `today` decides which are overdue.

    With `readable`, only actions outside working groups and those of the groups in that
    scope are listed (None: every action).
    """
    q = Query(_SELECT)
    if readable is not None:
        readable.restrict(q, "a.group_id", outside="a.group_id IS NULL")
    if partnership_id is not None:
        q.where("a.partnership_id = {}", str(partnership_id))
    if owner_id is not None:
        q.where("a.owner_id = {}", str(owner_id))
    if group_id is not None:
        q.where("a.group_id = {}", str(group_id))
    if theme_id is not None:
        q.where("g.theme_id = {}", str(theme_id))
    if status is not None:
        q.where("a.status = {}", status)
    if overdue is True:
        q.where("a.status = 'open' AND a.due_on < {}", today.isoformat())
    elif overdue is False:
        q.where("(a.status <> 'open' OR a.due_on >= {})", today.isoformat())
    if due_from is not None:
        q.where("a.due_on >= {}", due_from.isoformat())
    if due_before is not None:
        q.where("a.due_on < {}", due_before.isoformat())
    return await paginate(
        db,
        db.cursor_key,
        "actions",
        q,
        ("a.due_on", "a.action_id"),
        _converter(today),
        first=first,
        after=after,
    )


async def get_action(db: ReadDatabase, action_id: UUID, *, today: date) -> ActionView | None:
    q = Query(_SELECT.replace(", {keys}", "")).where("a.action_id = {}", str(action_id))
    row = await db.fetchrow(q.sql(), *q.args)
    return _converter(today)(row) if row else None
