"""B7. The national mapping survey of social-economy organisations.

A questionnaire is designed in versions; the latest is published to open the survey and
organisations are invited to it. A response answers the version published when it was
submitted, is corrected until validated, and is validated or rejected; the survey closes
once no response waits for validation. Findings aggregate the validated responses per
region and organisation kind and are refused when any figure would describe fewer
organisations than the survey's minimum cell size (`survey_findings`), so nothing
published can single out an organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID, uuid4

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import NotFound, RuleViolation
from coordination.domain.survey_findings import Grouping, ValidatedResponse, aggregate
from coordination.domain.survey_parts import (
    Respondent,
    Response,
    ResponseStatus,
    SurveyStatus,
    checked_answers,
    checked_minimum,
    checked_questions,
)
from coordination.domain.values import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Audience,
    MemberKind,
    choice,
    text,
)
from coordination.domain.values import name as checked_name

#: Who the published findings are for: everyone (their cells are never below the minimum).
FINDINGS_AUDIENCE = Audience.PUBLIC


class MappingSurvey(CoordinationAggregate):
    """A mapping survey: its questionnaire versions, respondents, responses and findings."""

    TOPIC = "coordination.mapping_survey"
    KIND = "mapping survey"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Designed(CoordinationAggregate.Created):
        """QuestionnaireDesigned: the survey and the first version of its questionnaire."""

        TOPIC = "coordination.mapping_survey.designed"
        partnership_id: UUID
        title: str
        minimum_cell_size: int
        questions: list[dict[str, str]]

        def apply(self, s: MappingSurvey) -> None:
            s.partnership_id, s.title = self.partnership_id, self.title
            s.minimum_cell_size = self.minimum_cell_size
            s.add_version(self.questions)

    class QuestionnaireRevised(CoordinationAggregate.Event):
        TOPIC = "coordination.mapping_survey.questionnaire_revised"
        version: int
        questions: list[dict[str, str]]

        def apply(self, s: MappingSurvey) -> None:
            s.add_version(self.questions)

    class QuestionnairePublished(CoordinationAggregate.Event):
        TOPIC = "coordination.mapping_survey.questionnaire_published"
        version: int

        def apply(self, s: MappingSurvey) -> None:
            s.published_version, s.status = self.version, SurveyStatus.OPEN.value

    class RespondentInvited(CoordinationAggregate.Event):
        TOPIC = "coordination.mapping_survey.respondent_invited"
        respondent_id: UUID
        organisation_name: str
        region: str
        kind: str
        member_id: UUID | None

        def apply(self, s: MappingSurvey) -> None:
            s.respondents[self.respondent_id] = Respondent(
                self.organisation_name, self.region, self.kind, self.member_id
            )

    class ResponseSubmitted(CoordinationAggregate.Event):
        TOPIC = "coordination.mapping_survey.response_submitted"
        respondent_id: UUID
        version: int
        answers: dict[str, int]

        def apply(self, s: MappingSurvey) -> None:
            s.responses[self.respondent_id] = Response(self.version, dict(self.answers))

    class ResponseCorrected(CoordinationAggregate.Event):
        """New answers replace the response's; it waits for validation again."""

        TOPIC = "coordination.mapping_survey.response_corrected"
        respondent_id: UUID
        version: int
        answers: dict[str, int]
        note: str

        def apply(self, s: MappingSurvey) -> None:
            s.responses[self.respondent_id] = Response(self.version, dict(self.answers))

    class ResponseValidated(CoordinationAggregate.Event):
        TOPIC = "coordination.mapping_survey.response_validated"
        respondent_id: UUID

        def apply(self, s: MappingSurvey) -> None:
            s.mark(self.respondent_id, ResponseStatus.VALIDATED)

    class ResponseRejected(CoordinationAggregate.Event):
        TOPIC = "coordination.mapping_survey.response_rejected"
        respondent_id: UUID
        reason: str

        def apply(self, s: MappingSurvey) -> None:
            s.mark(self.respondent_id, ResponseStatus.REJECTED)

    class Closed(CoordinationAggregate.Event):
        """SurveyClosed: no more invitations or responses."""

        TOPIC = "coordination.mapping_survey.closed"

        def apply(self, s: MappingSurvey) -> None:
            s.status = SurveyStatus.CLOSED.value

    class FindingsPublished(CoordinationAggregate.Event):
        """The aggregates, each cell at least the minimum; public, unlike the responses."""

        TOPIC = "coordination.mapping_survey.findings_published"
        grouping: str
        minimum_cell_size: int
        cells: list[dict[str, str | int | None]]

        def apply(self, s: MappingSurvey) -> None:
            s.status = SurveyStatus.FINDINGS_PUBLISHED.value

    def __init__(self) -> None:
        self.partnership_id = UUID(int=0)
        self.title = ""
        self.minimum_cell_size = 0
        # version -> its questions as (key, kind) pairs: immutable, as aggregate state is
        self.versions: dict[int, tuple[tuple[str, str], ...]] = {}
        self.published_version: int | None = None
        self.status = SurveyStatus.DRAFT.value
        self.respondents: dict[UUID, Respondent] = {}
        self.responses: dict[UUID, Response] = {}

    def add_version(self, questions: list[dict[str, str]]) -> None:
        self.versions[len(self.versions) + 1] = tuple((q["key"], q["kind"]) for q in questions)

    def mark(self, respondent_id: UUID, status: ResponseStatus) -> None:
        self.responses[respondent_id] = replace(self.responses[respondent_id], status=status.value)

    # -- commands ---------------------------------------------------------------

    @classmethod
    def design(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        title: str,
        minimum_cell_size: int,
        questions: Sequence[tuple[str, str, str]],
    ) -> MappingSurvey:
        """Design a survey: its title, minimum cell size and first questionnaire version."""
        return cls.start(
            cls.Designed,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            title=checked_name(title, "title", max_length=TITLE_MAX),
            minimum_cell_size=checked_minimum(minimum_cell_size),
            questions=checked_questions(questions, {}),
        )

    def revise_questionnaire(
        self, ctx: Context, *, questions: Sequence[tuple[str, str, str]]
    ) -> int:
        """Add a new version of the questionnaire (published separately); returns its number."""
        self._accepting("a new questionnaire version")
        version = len(self.versions) + 1
        self.record(
            self.QuestionnaireRevised,
            ctx,
            version=version,
            questions=checked_questions(questions, self.question_kinds()),
        )
        return version

    def publish_questionnaire(self, ctx: Context) -> None:
        """Publish the latest version: responses from now on answer it."""
        self._accepting("publication")
        latest = len(self.versions)
        if self.published_version == latest:
            raise RuleViolation(
                f"version {latest} of the questionnaire is already published: revise it first"
            )
        self.record(self.QuestionnairePublished, ctx, version=latest)

    def invite_respondent(
        self,
        ctx: Context,
        *,
        organisation_name: str,
        region: str,
        kind: str,
        member_id: UUID | None,
    ) -> UUID:
        """Invite an organisation to respond, once; returns the respondent's id."""
        self._open_for("invitations")
        name = checked_name(organisation_name, "organisation_name", max_length=NAME_MAX)
        where = checked_name(region, "region", max_length=NAME_MAX)
        for known in self.respondents.values():
            if (member_id is not None and known.member_id == member_id) or (
                known.name.casefold(),
                known.region.casefold(),
            ) == (name.casefold(), where.casefold()):
                raise RuleViolation(f"'{known.name}' of {known.region} is already invited")
        respondent_id = uuid4()
        self.record(
            self.RespondentInvited,
            ctx,
            respondent_id=respondent_id,
            organisation_name=name,
            region=where,
            kind=choice(kind, MemberKind, "kind").value,
            member_id=member_id,
        )
        return respondent_id

    def submit_response(
        self, ctx: Context, *, respondent_id: UUID, answers: Sequence[tuple[str, int]]
    ) -> None:
        """An invited organisation's answers to the published questionnaire, once."""
        self._open_for("responses")
        self._respondent(respondent_id)
        if respondent_id in self.responses:
            raise RuleViolation(
                f"respondent {respondent_id} has already responded: correct the response instead"
            )
        version = self._published()
        self.record(
            self.ResponseSubmitted,
            ctx,
            respondent_id=respondent_id,
            version=version,
            answers=checked_answers(answers, dict(self.versions[version])),
        )

    def correct_response(
        self, ctx: Context, *, respondent_id: UUID, answers: Sequence[tuple[str, int]], note: str
    ) -> None:
        """Replace a response's answers before it is validated (a rejected one too)."""
        self._open_for("corrections")
        response = self._response(respondent_id)
        if response.status == ResponseStatus.VALIDATED:
            raise RuleViolation(
                f"the response of respondent {respondent_id} is validated: it is final"
            )
        version = self._published()
        self.record(
            self.ResponseCorrected,
            ctx,
            respondent_id=respondent_id,
            version=version,
            answers=checked_answers(answers, dict(self.versions[version])),
            note=text(note, "note", max_length=TEXT_MAX),
        )

    def validate_response(self, ctx: Context, *, respondent_id: UUID) -> None:
        """Accept a response waiting for validation into the findings."""
        self._pending(respondent_id)
        self.record(self.ResponseValidated, ctx, respondent_id=respondent_id)

    def reject_response(self, ctx: Context, *, respondent_id: UUID, reason: str) -> None:
        """Keep a response waiting for validation out of the findings, saying why."""
        self._pending(respondent_id)
        self.record(
            self.ResponseRejected,
            ctx,
            respondent_id=respondent_id,
            reason=text(reason, "reason", max_length=TEXT_MAX),
        )

    def close(self, ctx: Context) -> None:
        """Close the survey once no response waits for validation."""
        self._open_for("closing")
        waiting = sum(1 for r in self.responses.values() if r.status == ResponseStatus.PENDING)
        if waiting:
            raise RuleViolation(
                f"{waiting} response{'s wait' if waiting != 1 else ' waits'} for validation:"
                " validate or reject each before closing the survey"
            )
        self.record(self.Closed, ctx)

    def publish_findings(self, ctx: Context, *, grouping: str) -> None:
        """Publish the aggregates of a closed survey, once, with no cell below the minimum."""
        if self.status == SurveyStatus.FINDINGS_PUBLISHED:
            raise RuleViolation(f"the findings of '{self.title}' are already published")
        if self.status != SurveyStatus.CLOSED:
            raise RuleViolation("no findings before the survey is closed")
        parsed = choice(grouping, Grouping, "grouping")
        validated = [
            ValidatedResponse(self.respondents[rid].region, self.respondents[rid].kind, r.answers)
            for rid, r in self.responses.items()
            if r.status == ResponseStatus.VALIDATED
        ]
        if not validated:
            raise RuleViolation("no findings without a validated response")
        cells = aggregate(validated, self.question_kinds(), parsed, self.minimum_cell_size)
        self.record(
            self.FindingsPublished,
            ctx,
            audience=FINDINGS_AUDIENCE.value,
            grouping=parsed.value,
            minimum_cell_size=self.minimum_cell_size,
            cells=cells,
        )

    # -- checks -----------------------------------------------------------------

    def question_kinds(self) -> dict[str, str]:
        """Every question key of every version -> its kind (a key keeps its kind)."""
        return {key: kind for version in self.versions.values() for key, kind in version}

    def _accepting(self, what: str) -> None:
        if self.status not in (SurveyStatus.DRAFT, SurveyStatus.OPEN):
            raise RuleViolation(f"the survey is {self.status}: it takes no {what}")

    def _open_for(self, what: str) -> None:
        if self.status == SurveyStatus.DRAFT:
            raise RuleViolation(f"the questionnaire is not published yet: no {what}")
        if self.status != SurveyStatus.OPEN:
            raise RuleViolation(f"the survey is {self.status}: it takes no {what}")

    def _published(self) -> int:
        assert self.published_version is not None  # the survey is open
        return self.published_version

    def _respondent(self, respondent_id: UUID) -> Respondent:
        found = self.respondents.get(respondent_id)
        if found is None:
            raise NotFound(f"no respondent with id {respondent_id} is invited to this survey")
        return found

    def _response(self, respondent_id: UUID) -> Response:
        self._respondent(respondent_id)
        found = self.responses.get(respondent_id)
        if found is None:
            raise RuleViolation(f"respondent {respondent_id} has not responded yet")
        return found

    def _pending(self, respondent_id: UUID) -> None:
        self._open_for("validation")
        response = self._response(respondent_id)
        if response.status != ResponseStatus.PENDING:
            raise RuleViolation(
                f"the response of respondent {respondent_id} is {response.status} already"
            )
