"""Queries over the mapping surveys: a survey with its progress, and its findings."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import Query
from coordination.projections.tables import parse_uuid


@dataclass(frozen=True)
class SurveyView:
    """A survey and how far its responses have come (counted from its respondents)."""

    id: UUID
    partnership_id: UUID
    title: str
    status: str
    minimum_cell_size: int
    versions: int
    published_version: int | None
    grouping: str | None
    invited: int
    awaiting_response: int
    pending: int
    validated: int
    rejected: int


@dataclass(frozen=True)
class FindingView:
    """One published cell: where, which kind, which question, over how many, the value."""

    region: str | None
    kind: str | None
    question: str
    organisations: int
    value: int


async def _progress(db: ReadDatabase, survey_ids: list[str]) -> dict[str, dict[str, int]]:
    q = Query("SELECT survey_id, status, COUNT(*) AS n FROM rv_survey_respondents")
    q.conditions.append(f"survey_id IN ({', '.join(q.arg(s) for s in survey_ids)})")
    rows = await db.fetch(q.sql(" GROUP BY survey_id, status"), *q.args)
    found: dict[str, dict[str, int]] = {survey: {} for survey in survey_ids}
    for row in rows:
        found[row["survey_id"]][row["status"]] = int(row["n"])
    return found


def _convert(r: Row, counts: dict[str, int]) -> SurveyView:
    return SurveyView(
        id=parse_uuid(r["survey_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        title=r["title"],
        status=r["status"],
        minimum_cell_size=int(r["minimum_cell_size"]),
        versions=int(r["versions"]),
        published_version=int(r["published_version"]) if r["published_version"] else None,
        grouping=r["grouping"],
        invited=sum(counts.values()),
        awaiting_response=counts.get("invited", 0),
        pending=counts.get("pending", 0),
        validated=counts.get("validated", 0),
        rejected=counts.get("rejected", 0),
    )


async def list_surveys(db: ReadDatabase, partnership_id: UUID | None = None) -> list[SurveyView]:
    """Every survey (of the partnership), by title, with its progress."""
    sql, args = "SELECT * FROM rv_surveys", []
    if partnership_id is not None:
        sql, args = sql + " WHERE partnership_id = $1", [str(partnership_id)]
    rows = await db.fetch(sql + " ORDER BY title, survey_id", *args)
    if not rows:
        return []
    progress = await _progress(db, [r["survey_id"] for r in rows])
    return [_convert(r, progress[r["survey_id"]]) for r in rows]


async def get_survey(db: ReadDatabase, survey_id: UUID) -> SurveyView | None:
    row = await db.fetchrow("SELECT * FROM rv_surveys WHERE survey_id = $1", str(survey_id))
    if row is None:
        return None
    return _convert(row, (await _progress(db, [str(survey_id)]))[str(survey_id)])


async def findings(db: ReadDatabase, survey_id: UUID) -> list[FindingView]:
    """The published cells of a survey, in the order published (none before publication)."""
    rows = await db.fetch(
        "SELECT * FROM rv_survey_findings WHERE survey_id = $1 ORDER BY cell", str(survey_id)
    )
    return [
        FindingView(
            region=r["region"],
            kind=r["kind"],
            question=r["question"],
            organisations=int(r["organisations"]),
            value=int(r["value"]),
        )
        for r in rows
    ]
