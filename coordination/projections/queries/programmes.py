"""Queries over the training programmes: programmes, their cohorts' funnels, the feedback
→ curriculum trace, and a cohort's participants by pseudonymous id.

A funnel is counted at query time from the participants' rows: how many were enrolled,
how many left, how many completed, and what became of them by outcome kind.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from coordination.domain.cohort import ParticipantStatus
from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import Query
from coordination.projections.tables import parse_uuid, to_day, to_moment

#: The most programmes, cohorts, participants or feedback items one answer lists (a
#: partnership runs a handful of programmes; a cohort has at most 1000 places).
LIST_MAX = 1000


@dataclass(frozen=True)
class Funnel:
    """How a cohort's (or a programme's) places were taken and what came of them."""

    places: int
    enrolled: int
    taking_part: int
    left: int
    completed: int
    outcomes: dict[str, int]
    sessions_held: int
    attendances: int


@dataclass(frozen=True)
class CohortView:
    id: UUID
    programme_id: UUID
    provider_id: UUID
    title: str
    places: int
    starts_on: date
    partner_ids: list[UUID]
    funnel: Funnel


@dataclass(frozen=True)
class ProgrammeView:
    id: UUID
    partnership_id: UUID
    kind: str
    title: str
    provider_id: UUID
    target_group: str
    duration_months: int
    curriculum_version: int


@dataclass(frozen=True)
class CurriculumView:
    """One version of a programme's curriculum; `reason` is None for the first."""

    version: int
    curriculum: str
    reason: str | None
    adopted_at: datetime | None


@dataclass(frozen=True)
class FeedbackTraceView:
    """One feedback item, its answer, and the curriculum version it led to (if any)."""

    id: UUID
    cohort_id: UUID
    participant_id: UUID
    given_version: int
    kind: str
    given_at: datetime | None
    answered: bool
    accepted: bool
    answer: str | None
    curriculum_version: int | None


@dataclass(frozen=True)
class ParticipantView:
    """A participant by pseudonymous id; `enrolled_version` locates their sealed fields."""

    cohort_id: UUID
    participant_id: UUID
    organisation_id: UUID | None
    status: str
    sessions_attended: int
    outcomes: list[str]
    enrolled_version: int


def _programme(r: Row) -> ProgrammeView:
    return ProgrammeView(
        id=parse_uuid(r["programme_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        kind=r["kind"],
        title=r["title"],
        provider_id=parse_uuid(r["provider_id"]),
        target_group=r["target_group"],
        duration_months=int(r["duration_months"]),
        curriculum_version=int(r["curriculum_version"]),
    )


async def list_programmes(
    db: ReadDatabase, *, partnership_id: UUID | None = None
) -> list[ProgrammeView]:
    """Programmes in the order they were launched."""
    q = Query("SELECT * FROM rv_programmes")
    if partnership_id is not None:
        q.where("partnership_id = {}", str(partnership_id))
    rows = await db.fetch(q.sql(f" ORDER BY seq LIMIT {LIST_MAX}"), *q.args)
    return [_programme(r) for r in rows]


async def get_programme(db: ReadDatabase, programme_id: UUID) -> ProgrammeView | None:
    row = await db.fetchrow(
        "SELECT * FROM rv_programmes WHERE programme_id = $1", str(programme_id)
    )
    return _programme(row) if row else None


async def curricula(db: ReadDatabase, programme_id: UUID) -> list[CurriculumView]:
    """Every version of the programme's curriculum, the first first."""
    rows = await db.fetch(
        "SELECT * FROM rv_programme_curricula WHERE programme_id = $1 ORDER BY version",
        str(programme_id),
    )
    return [
        CurriculumView(
            version=int(r["version"]),
            curriculum=r["curriculum"],
            reason=r["reason"],
            adopted_at=to_moment(r["adopted_at"]),
        )
        for r in rows
    ]


async def _funnels(db: ReadDatabase, cohort_ids: list[str]) -> dict[str, tuple[Counter[str], ...]]:
    """Per cohort: participants by status, and outcomes by kind."""
    found: dict[str, tuple[Counter[str], ...]] = {c: (Counter(), Counter()) for c in cohort_ids}
    if not cohort_ids:
        return found
    for table, column, at in (
        ("cohort_participants", "status", 0),
        ("cohort_outcomes", "outcome", 1),
    ):
        q = Query(f"SELECT cohort_id, {column} AS value, COUNT(*) AS n FROM rv_{table}")  # noqa: S608
        q.conditions.append(f"cohort_id IN ({', '.join(q.arg(c) for c in cohort_ids)})")
        for row in await db.fetch(q.sql(f" GROUP BY cohort_id, {column}"), *q.args):
            found[row["cohort_id"]][at][row["value"]] = int(row["n"])
    return found


def _cohort(r: Row, statuses: Counter[str], outcomes: Counter[str]) -> CohortView:
    starts = to_day(r["starts_on"])
    assert starts is not None
    return CohortView(
        id=parse_uuid(r["cohort_id"]),
        programme_id=parse_uuid(r["programme_id"]),
        provider_id=parse_uuid(r["provider_id"]),
        title=r["title"],
        places=int(r["places"]),
        starts_on=starts,
        partner_ids=[UUID(p) for p in json.loads(r["partner_ids"])],
        funnel=Funnel(
            places=int(r["places"]),
            enrolled=sum(statuses.values()),
            taking_part=statuses[ParticipantStatus.ENROLLED.value],
            left=statuses[ParticipantStatus.LEFT.value],
            completed=statuses[ParticipantStatus.COMPLETED.value],
            outcomes=dict(sorted(outcomes.items())),
            sessions_held=int(r["sessions_held"]),
            attendances=int(r["attendances"]),
        ),
    )


async def cohorts(
    db: ReadDatabase, *, programme_id: UUID | None = None, cohort_id: UUID | None = None
) -> list[CohortView]:
    """Cohorts with their funnels, in the order they were opened."""
    q = Query("SELECT * FROM rv_cohorts")
    if programme_id is not None:
        q.where("programme_id = {}", str(programme_id))
    if cohort_id is not None:
        q.where("cohort_id = {}", str(cohort_id))
    rows = await db.fetch(q.sql(f" ORDER BY seq LIMIT {LIST_MAX}"), *q.args)
    funnels = await _funnels(db, [r["cohort_id"] for r in rows])
    return [_cohort(r, *funnels[r["cohort_id"]]) for r in rows]


def total(funnels: list[Funnel]) -> Funnel:
    """The funnels of several cohorts added together (a programme's)."""
    outcomes: Counter[str] = Counter()
    for funnel in funnels:
        outcomes.update(funnel.outcomes)
    return Funnel(
        places=sum(f.places for f in funnels),
        enrolled=sum(f.enrolled for f in funnels),
        taking_part=sum(f.taking_part for f in funnels),
        left=sum(f.left for f in funnels),
        completed=sum(f.completed for f in funnels),
        outcomes=dict(sorted(outcomes.items())),
        sessions_held=sum(f.sessions_held for f in funnels),
        attendances=sum(f.attendances for f in funnels),
    )


async def feedback_trace(
    db: ReadDatabase, programme_id: UUID | None = None, *, cohort_id: UUID | None = None
) -> list[FeedbackTraceView]:
    """The feedback given in the programme's cohorts (or in one cohort), in the order
    given, with answers."""
    q = Query("SELECT f.* FROM rv_cohort_feedback f JOIN rv_cohorts c ON c.cohort_id = f.cohort_id")
    if programme_id is not None:
        q.where("c.programme_id = {}", str(programme_id))
    if cohort_id is not None:
        q.where("f.cohort_id = {}", str(cohort_id))
    rows = await db.fetch(q.sql(f" ORDER BY f.seq LIMIT {LIST_MAX}"), *q.args)
    return [
        FeedbackTraceView(
            id=parse_uuid(r["feedback_id"]),
            cohort_id=parse_uuid(r["cohort_id"]),
            participant_id=parse_uuid(r["participant_id"]),
            given_version=int(r["given_version"]),
            kind=r["kind"],
            given_at=to_moment(r["given_at"]),
            answered=bool(r["answered"]),
            accepted=bool(r["accepted"]),
            answer=r["answer"],
            curriculum_version=(
                int(r["curriculum_version"]) if r["curriculum_version"] is not None else None
            ),
        )
        for r in rows
    ]


async def participants(db: ReadDatabase, cohort_id: UUID) -> list[ParticipantView]:
    """A cohort's participants, in the order enrolled, with their outcomes."""
    q = Query("SELECT * FROM rv_cohort_participants").where("cohort_id = {}", str(cohort_id))
    rows = await db.fetch(q.sql(f" ORDER BY seq LIMIT {LIST_MAX}"), *q.args)
    outcomes: dict[str, list[str]] = {}
    for r in await db.fetch(
        "SELECT participant_id, outcome FROM rv_cohort_outcomes WHERE cohort_id = $1"
        " ORDER BY participant_id, outcome",
        str(cohort_id),
    ):
        outcomes.setdefault(r["participant_id"], []).append(r["outcome"])
    return [
        ParticipantView(
            cohort_id=cohort_id,
            participant_id=parse_uuid(r["participant_id"]),
            organisation_id=parse_uuid(r["organisation_id"]) if r["organisation_id"] else None,
            status=r["status"],
            sessions_attended=int(r["sessions_attended"]),
            outcomes=outcomes.get(r["participant_id"], []),
            enrolled_version=int(r["enrolled_version"]),
        )
        for r in rows
    ]
