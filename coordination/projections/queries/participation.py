"""Queries over per-organisation participation; the counts are computed here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import DEFAULT_FIRST, Page, Query, paginate
from coordination.projections.tables import parse_uuid, to_day


@dataclass(frozen=True)
class Participation:
    """What one organisation took part in.

    Attributes:
        groups_joined: Working groups it is a member of now (`group_ids`).
        positions_taken: Decisions on which it holds a position.
        registrations: Its active workshop registrations.
        attendances: Attendance entries recorded for it.
        actions_owned: Actions it owns, of which open / completed / dropped.
    """

    organisation_id: UUID
    partnership_id: UUID
    name: str
    kind: str
    admitted_on: date
    withdrawn_on: date | None
    groups_joined: int
    group_ids: list[UUID]
    positions_taken: int
    registrations: int
    attendances: int
    actions_owned: int
    actions_open: int
    actions_completed: int
    actions_dropped: int


_SELECT = (
    "SELECT o.*,"
    " (SELECT COUNT(*) FROM rv_participation_positions p WHERE p.org_id = o.org_id) AS positions,"
    " (SELECT COUNT(*) FROM rv_participation_registrations r"
    "   WHERE r.org_id = o.org_id AND r.active = 1) AS registrations,"
    " (SELECT COUNT(*) FROM rv_participation_attendance a WHERE a.org_id = o.org_id)"
    "   AS attendances,"
    " (SELECT COUNT(*) FROM rv_participation_actions x"
    "   WHERE x.org_id = o.org_id AND x.status = 'open') AS actions_open,"
    " (SELECT COUNT(*) FROM rv_participation_actions x"
    "   WHERE x.org_id = o.org_id AND x.status = 'completed') AS actions_completed,"
    " (SELECT COUNT(*) FROM rv_participation_actions x"
    "   WHERE x.org_id = o.org_id AND x.status = 'dropped') AS actions_dropped,"
    " {keys} FROM rv_participation_orgs o"
)


def _participation(r: Row) -> Participation:
    opened, completed, dropped = (
        int(r["actions_open"]),
        int(r["actions_completed"]),
        int(r["actions_dropped"]),
    )
    return Participation(
        organisation_id=parse_uuid(r["org_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        name=r["name"],
        kind=r["kind"],
        admitted_on=to_day(r["admitted_on"]),  # type: ignore[arg-type]
        withdrawn_on=to_day(r["withdrawn_on"]),
        groups_joined=0,
        group_ids=[],
        positions_taken=int(r["positions"]),
        registrations=int(r["registrations"]),
        attendances=int(r["attendances"]),
        actions_owned=opened + completed + dropped,
        actions_open=opened,
        actions_completed=completed,
        actions_dropped=dropped,
    )


async def _with_groups(db: ReadDatabase, items: list[Participation]) -> list[Participation]:
    if not items:
        return []
    ids = [str(p.organisation_id) for p in items]
    marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
    groups: dict[UUID, list[UUID]] = {p.organisation_id: [] for p in items}
    for r in await db.fetch(
        "SELECT org_id, group_id FROM rv_participation_groups"  # noqa: S608
        f" WHERE org_id IN ({marks}) AND active = 1 ORDER BY seq, group_id",
        *ids,
    ):
        groups[parse_uuid(r["org_id"])].append(parse_uuid(r["group_id"]))
    return [
        replace(
            p, group_ids=groups[p.organisation_id], groups_joined=len(groups[p.organisation_id])
        )
        for p in items
    ]


async def list_participation(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    kind: str | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[Participation]:
    """Participation of every organisation, by name."""
    q = Query(_SELECT)
    if partnership_id is not None:
        q.where("o.partnership_id = {}", str(partnership_id))
    if kind is not None:
        q.where("o.kind = {}", kind)
    page = await paginate(
        db,
        db.cursor_key,
        "participation",
        q,
        ("o.name", "o.org_id"),
        _participation,
        first=first,
        after=after,
    )
    nodes = await _with_groups(db, page.nodes)
    return replace(page, edges=[e.with_node(n) for e, n in zip(page.edges, nodes, strict=True)])


async def get_participation(db: ReadDatabase, organisation_id: UUID) -> Participation | None:
    q = Query(_SELECT.replace(" {keys}", " 1 AS _one")).where("o.org_id = {}", str(organisation_id))
    row = await db.fetchrow(q.sql(), *q.args)
    if row is None:
        return None
    return (await _with_groups(db, [_participation(row)]))[0]
