"""Mapping surveys (B7): each survey's status, its respondents and where each response
stands (the progress is counted from them at query time), and the published findings.

The findings' cells are copied from the event as published: the view adds no figure of
its own, so it can publish nothing below the minimum the domain enforced.
"""

from __future__ import annotations

from coordination.domain.mapping_survey import MappingSurvey
from coordination.domain.survey_parts import SurveyStatus
from coordination.projections.changes import Writer
from coordination.projections.tables import ID, INT, MOMENT, POSITION, TEXT, Table, occurred, uid
from coordination.projections.view import Handler, View

#: A respondent invited, not yet responded (beside the responses' own statuses).
INVITED = "invited"

SURVEYS = Table(
    "surveys",
    {
        "survey_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "title": TEXT,
        "status": TEXT,
        "minimum_cell_size": INT,
        "versions": INT,
        "published_version": INT,
        "grouping": TEXT,
        "designed_at": MOMENT,
        "updated_at": MOMENT,
    },
    key=("survey_id",),
    indexes=(("partnership_id", "survey_id"),),
)
RESPONDENTS = Table(
    "survey_respondents",
    {
        "survey_id": ID,
        "respondent_id": ID,
        "organisation_name": TEXT,
        "region": TEXT,
        "kind": TEXT,
        "member_id": ID,
        "status": TEXT,
        "version": INT,
    },
    key=("survey_id", "respondent_id"),
)
FINDINGS = Table(
    "survey_findings",
    {
        "survey_id": ID,
        "cell": INT,
        "region": TEXT,
        "kind": TEXT,
        "question": TEXT,
        "organisations": INT,
        "value": INT,
    },
    key=("survey_id", "cell"),
)


def _designed(e: MappingSurvey.Designed, w: Writer) -> None:
    w.upsert(
        "surveys",
        {"survey_id": uid(e.originator_id)},
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        title=e.title,
        status=SurveyStatus.DRAFT.value,
        minimum_cell_size=e.minimum_cell_size,
        versions=1,
        designed_at=occurred(e),
        updated_at=occurred(e),
    )


def _survey(**values: object) -> Handler:
    def handle(e: MappingSurvey.Event, w: Writer) -> None:
        w.update(
            "surveys", {"survey_id": uid(e.originator_id)}, None, updated_at=occurred(e), **values
        )

    return handle


def _revised(e: MappingSurvey.QuestionnaireRevised, w: Writer) -> None:
    _survey(versions=e.version)(e, w)


def _published(e: MappingSurvey.QuestionnairePublished, w: Writer) -> None:
    _survey(published_version=e.version, status=SurveyStatus.OPEN.value)(e, w)


def _invited(e: MappingSurvey.RespondentInvited, w: Writer) -> None:
    w.upsert(
        "survey_respondents",
        {"survey_id": uid(e.originator_id), "respondent_id": uid(e.respondent_id)},
        organisation_name=e.organisation_name,
        region=e.region,
        kind=e.kind,
        member_id=uid(e.member_id),
        status=INVITED,
    )


def _response(status: str) -> Handler:
    def handle(e: MappingSurvey.Event, w: Writer) -> None:
        key = {"survey_id": uid(e.originator_id), "respondent_id": uid(e.respondent_id)}  # type: ignore[attr-defined]
        version = getattr(e, "version", None)
        extra = {"version": version} if version is not None else {}
        w.update("survey_respondents", key, status=status, **extra)

    return handle


def _findings(e: MappingSurvey.FindingsPublished, w: Writer) -> None:
    survey = uid(e.originator_id)
    _survey(status=SurveyStatus.FINDINGS_PUBLISHED.value, grouping=e.grouping)(e, w)
    for number, cell in enumerate(e.cells):
        w.upsert(
            "survey_findings",
            {"survey_id": survey, "cell": number},
            region=cell["region"],
            kind=cell["kind"],
            question=cell["question"],
            organisations=cell["organisations"],
            value=cell["value"],
        )


S = MappingSurvey
VIEW = View(
    name="surveys",
    tables=(SURVEYS, RESPONDENTS, FINDINGS),
    handlers={
        S.Designed.TOPIC: _designed,
        S.QuestionnaireRevised.TOPIC: _revised,
        S.QuestionnairePublished.TOPIC: _published,
        S.RespondentInvited.TOPIC: _invited,
        S.ResponseSubmitted.TOPIC: _response("pending"),
        S.ResponseCorrected.TOPIC: _response("pending"),
        S.ResponseValidated.TOPIC: _response("validated"),
        S.ResponseRejected.TOPIC: _response("rejected"),
        S.Closed.TOPIC: _survey(status=SurveyStatus.CLOSED.value),
        S.FindingsPublished.TOPIC: _findings,
    },
)
