"""Queries over the decisions view: decisions with their tally, and positions.

An organisation of a decision's electorate that withdrew from the partnership loses its
vote (B1): while the decision is open, from the day it withdrew, by the domain's own rule
(`standing_tally`); once closed, as the closing recorded it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from coordination.domain.decision_rules import standing_tally
from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import (
    DEFAULT_FIRST,
    Page,
    Query,
    paginate,
    paginate_groups,
)
from coordination.projections.queries.access import ForumScope
from coordination.projections.tables import moment, parse_uuid, to_day, to_moment, to_uuid


@dataclass(frozen=True)
class Tally:
    """Positions counted: recorded at closing, or live while the decision is called.

    Attributes:
        electorate: The organisations that may take a position: those still entitled
            to a voice at closing, or the electorate of the call while it runs.
    """

    agree: int
    abstain: int
    disagree: int
    block: int
    electorate: int

    @property
    def counted(self) -> int:
        """The positions counted so far, abstentions included (of the electorate only)."""
        return self.agree + self.abstain + self.disagree + self.block


#: Why a withdrawn organisation's position is listed but not counted.
NOT_COUNTED_WITHDRAWN = "the organisation has withdrawn from the partnership"


@dataclass(frozen=True)
class DecisionSummary:
    """A decision as the view holds it; `in_force` means adopted and not fully superseded."""

    id: UUID
    partnership_id: UUID
    forum_kind: str
    forum_id: UUID
    theme_id: UUID | None
    proposer_id: UUID | None
    title: str
    text: str
    rationale: str
    revision: int
    status: str
    in_force: bool
    rule: str | None
    quorum_percent: int | None
    threshold_percent: int | None
    called_at: datetime | None
    closes_at: datetime | None
    tally: Tally | None
    quorum_met: bool | None
    rule_met: bool | None
    outcome: str | None
    effective_on: date | None
    review_on: date | None
    adopted_at: datetime | None
    end_reason: str | None
    deferred_until: date | None
    deferral_reason: str | None
    supersedes: UUID | None
    superseded_by: UUID | None
    superseded_in_part_by: list[UUID]
    workshop_id: UUID | None
    minutes_hash: str | None
    contributions: int
    tabled_at: datetime
    flagged_organisations: list[UUID]
    electorate: list[UUID]
    withdrawn_organisations: list[UUID]


@dataclass(frozen=True)
class PositionView:
    """An organisation's counted position; `flagged` when taken on an earlier revision."""

    decision_id: UUID
    organisation_id: UUID
    position: str
    reason: str | None
    revision: int
    by_proxy: bool
    flagged: bool
    counted: bool
    not_counted_reason: str | None


@dataclass(frozen=True)
class ProxyView:
    """A member's proxy for one called decision: the person who takes its position."""

    decision_id: UUID
    organisation_id: UUID
    proxy_person_id: UUID
    proxy_organisation_id: UUID


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _decision(r: Row) -> DecisionSummary:
    tally = None
    if r["counted"] is not None:
        tally = Tally(r["agree"], r["abstain"], r["disagree"], r["block"], r["counted"])
    return DecisionSummary(
        id=parse_uuid(r["decision_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        forum_kind=r["forum_kind"],
        forum_id=parse_uuid(r["forum_id"]),
        theme_id=to_uuid(r["theme_id"]),
        proposer_id=to_uuid(r["proposer_id"]),
        title=r["title"],
        text=r["text"],
        rationale=r["rationale"],
        revision=int(r["revision"]),
        status=r["status"],
        in_force=r["status"] == "adopted",
        rule=r["rule"],
        quorum_percent=r["quorum_percent"],
        threshold_percent=r["threshold_percent"],
        called_at=to_moment(r["called_at"]),
        closes_at=to_moment(r["closes_at"]),
        tally=tally,
        quorum_met=_optional_bool(r["quorum_met"]),
        rule_met=_optional_bool(r["rule_met"]),
        outcome=r["outcome"],
        effective_on=to_day(r["effective_on"]),
        review_on=to_day(r["review_on"]),
        adopted_at=to_moment(r["adopted_at"]),
        end_reason=r["end_reason"],
        deferred_until=to_day(r["deferred_until"]),
        deferral_reason=r["deferral_reason"],
        supersedes=to_uuid(r["supersedes"]),
        superseded_by=to_uuid(r["superseded_by"]),
        superseded_in_part_by=[],
        workshop_id=to_uuid(r["workshop_id"]),
        minutes_hash=r["minutes_hash"],
        contributions=int(r["contributions"]),
        tabled_at=to_moment(r["tabled_at"]),  # type: ignore[arg-type]
        flagged_organisations=[],
        electorate=[],
        withdrawn_organisations=[],
    )


_SELECT = (
    "SELECT d.*, df.theme_id, {keys} FROM rv_decisions d"
    " LEFT JOIN rv_decision_forums df ON df.forum_id = d.forum_id"
)

#: Whether an organisation of the electorate lost its vote by withdrawing: as closing
#: recorded it (`d` has a counted tally), else as the partnership stands (`w`).
_WITHDRAWN = (
    "CASE WHEN d.counted IS NOT NULL THEN COALESCE(e.withdrawn, 0)"
    " WHEN w.org_id IS NOT NULL THEN 1 ELSE 0 END"
)
_POSITIONS = (
    f"SELECT p.*, d.revision AS current_revision, {_WITHDRAWN} AS withdrawn, {{keys}}"  # noqa: S608
    " FROM rv_decision_positions p JOIN rv_decisions d ON d.decision_id = p.decision_id"
    " LEFT JOIN rv_decision_electorate e ON e.decision_id = p.decision_id"
    " AND e.org_id = p.org_id"
    " LEFT JOIN rv_decision_withdrawn_members w ON w.org_id = p.org_id"
)


async def list_decisions(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    forum_id: UUID | None = None,
    theme_id: UUID | None = None,
    status: str | Sequence[str] | None = None,
    in_force: bool | None = None,
    organisation_id: UUID | None = None,
    tabled_from: datetime | None = None,
    tabled_before: datetime | None = None,
    readable: ForumScope | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[DecisionSummary]:
    """Decisions in tabling order, with filters; `status` may be one status or several.

    With `readable`, only the partnership's decisions and those of the working groups in
    that scope are listed (None: every decision).
    """
    q = Query(_SELECT)
    if readable is not None:
        readable.restrict(q, "d.forum_id", outside="d.forum_kind = 'partnership'")
    if partnership_id is not None:
        q.where("d.partnership_id = {}", str(partnership_id))
    if forum_id is not None:
        q.where("d.forum_id = {}", str(forum_id))
    if theme_id is not None:
        q.where("df.theme_id = {}", str(theme_id))
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        if not wanted:
            q.where("1 = 0")
        else:
            q.where(f"d.status IN ({', '.join('{}' for _ in wanted)})", *wanted)
    if in_force is not None:
        q.where("d.status = {}" if in_force else "d.status <> {}", "adopted")
    if organisation_id is not None:
        q.where(
            "EXISTS (SELECT 1 FROM rv_decision_positions p"
            " WHERE p.decision_id = d.decision_id AND p.org_id = {})",
            str(organisation_id),
        )
    if tabled_from is not None:
        q.where("d.tabled_at >= {}", moment(tabled_from))
    if tabled_before is not None:
        q.where("d.tabled_at < {}", moment(tabled_before))
    page = await paginate(
        db,
        db.cursor_key,
        "decisions",
        q,
        ("d.seq", "d.decision_id"),
        _decision,
        first=first,
        after=after,
    )
    details = await _details(db, [d.node for d in page.edges])
    return replace(page, edges=[e.with_node(details[e.node.id]) for e in page.edges])


async def get_decision(db: ReadDatabase, decision_id: UUID) -> DecisionSummary | None:
    q = Query(_SELECT.replace(", {keys}", "")).where("d.decision_id = {}", str(decision_id))
    row = await db.fetchrow(q.sql(), *q.args)
    if row is None:
        return None
    decision = _decision(row)
    return (await _details(db, [decision]))[decision.id]


async def _details(
    db: ReadDatabase, decisions: list[DecisionSummary]
) -> dict[UUID, DecisionSummary]:
    """Electorate, withdrawn organisations, flagged positions, live tallies and partial
    supersessions, in 3 queries."""
    if not decisions:
        return {}
    ids = [str(d.id) for d in decisions]
    marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
    electorate: dict[UUID, list[UUID]] = {d.id: [] for d in decisions}
    withdrawn: dict[UUID, list[UUID]] = {d.id: [] for d in decisions}
    for r in await db.fetch(
        f"SELECT e.decision_id, e.org_id, {_WITHDRAWN} AS withdrawn"  # noqa: S608
        " FROM rv_decision_electorate e JOIN rv_decisions d ON d.decision_id = e.decision_id"
        " LEFT JOIN rv_decision_withdrawn_members w ON w.org_id = e.org_id"
        f" WHERE e.decision_id IN ({marks}) ORDER BY e.decision_id, e.org_id",
        *ids,
    ):
        decision, org = parse_uuid(r["decision_id"]), parse_uuid(r["org_id"])
        electorate[decision].append(org)
        if r["withdrawn"]:
            withdrawn[decision].append(org)
    flagged: dict[UUID, list[UUID]] = {d.id: [] for d in decisions}
    positions: dict[UUID, dict[UUID, str]] = {d.id: {} for d in decisions}
    for r in await db.fetch(
        "SELECT p.decision_id, p.org_id, p.position, p.revision < d.revision AS flagged"  # noqa: S608
        " FROM rv_decision_positions p JOIN rv_decisions d ON d.decision_id = p.decision_id"
        f" WHERE p.decision_id IN ({marks}) ORDER BY p.org_id",
        *ids,
    ):
        decision, org = parse_uuid(r["decision_id"]), parse_uuid(r["org_id"])
        positions[decision][org] = r["position"]
        if r["flagged"]:
            flagged[decision].append(org)
    in_part: dict[UUID, list[UUID]] = {d.id: [] for d in decisions}
    for r in await db.fetch(
        "SELECT decision_id, by_decision_id FROM rv_decision_supersessions"  # noqa: S608
        f" WHERE decision_id IN ({marks}) AND scope = 'part' ORDER BY seq",
        *ids,
    ):
        in_part[parse_uuid(r["decision_id"])].append(parse_uuid(r["by_decision_id"]))
    result = {}
    for d in decisions:
        tally = d.tally
        if d.status == "called":
            live = standing_tally(positions[d.id], electorate[d.id], withdrawn[d.id])
            tally = Tally(live.agree, live.abstain, live.disagree, live.block, live.electorate)
        result[d.id] = replace(
            d,
            tally=tally,
            electorate=electorate[d.id],
            withdrawn_organisations=withdrawn[d.id],
            flagged_organisations=flagged[d.id],
            superseded_in_part_by=in_part[d.id],
        )
    return result


def _position(r: Row) -> PositionView:
    withdrawn = bool(r["withdrawn"])
    return PositionView(
        decision_id=parse_uuid(r["decision_id"]),
        organisation_id=parse_uuid(r["org_id"]),
        position=r["position"],
        reason=r["reason"],
        revision=int(r["revision"]),
        by_proxy=bool(r["by_proxy"]),
        flagged=int(r["revision"]) < int(r["current_revision"]),
        counted=not withdrawn,
        not_counted_reason=NOT_COUNTED_WITHDRAWN if withdrawn else None,
    )


async def list_positions(
    db: ReadDatabase, decision_id: UUID, *, first: int = DEFAULT_FIRST, after: str | None = None
) -> Page[PositionView]:
    """The positions on a decision, one per organisation, by organisation id; a withdrawn
    organisation's is listed, marked as not counted."""
    q = Query(_POSITIONS).where("p.decision_id = {}", str(decision_id))
    return await paginate(
        db,
        db.cursor_key,
        "positions",
        q,
        ("p.decision_id", "p.org_id"),
        _position,
        first=first,
        after=after,
    )


async def list_positions_of(
    db: ReadDatabase, decision_ids: Sequence[UUID], *, first: int = DEFAULT_FIRST
) -> dict[UUID, Page[PositionView]]:
    """The first page of positions of each decision, in one read (as `list_positions`)."""
    q = Query(_POSITIONS)
    pages = await paginate_groups(
        db,
        db.cursor_key,
        "positions",
        q,
        ("p.decision_id", "p.org_id"),
        _position,
        groups=[str(d) for d in decision_ids],
        first=first,
    )
    return {decision: pages[str(decision)] for decision in decision_ids}


async def proxies_of(db: ReadDatabase, decision_ids: Sequence[UUID]) -> dict[UUID, list[ProxyView]]:
    """The proxies granted for each decision's current call, in one read.

    A decision has at most one per member of its electorate, so they come whole, in the
    granting organisations' order, without pages.
    """
    found: dict[UUID, list[ProxyView]] = {decision: [] for decision in decision_ids}
    if not decision_ids:
        return found
    marks = ", ".join(f"${n}" for n in range(1, len(decision_ids) + 1))
    for r in await db.fetch(
        "SELECT decision_id, org_id, proxy_person_id, proxy_org_id"  # noqa: S608
        f" FROM rv_decision_proxies WHERE decision_id IN ({marks})"
        " ORDER BY decision_id, org_id",
        *(str(decision) for decision in decision_ids),
    ):
        decision = parse_uuid(r["decision_id"])
        found[decision].append(
            ProxyView(
                decision_id=decision,
                organisation_id=parse_uuid(r["org_id"]),
                proxy_person_id=parse_uuid(r["proxy_person_id"]),
                proxy_organisation_id=parse_uuid(r["proxy_org_id"]),
            )
        )
    return found
