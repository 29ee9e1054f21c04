"""B7: the mapping survey's rules, one test per rule (the domain alone)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.mapping_survey import MappingSurvey
from coordination.domain.survey_findings import CellBelowMinimum

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
CTX = Context(actor="secretariat", origin="test.example/coordination/log", occurred_at=NOW)
QUESTIONS = [
    ("staff", "How many people work for you?", "number"),
    ("procures", "Do you sell to a municipality?", "yes_no"),
]


def designed(minimum: int = 3) -> MappingSurvey:
    return MappingSurvey.design(
        CTX,
        partnership_id=uuid4(),
        title="Mapping of the social economy 2026",
        minimum_cell_size=minimum,
        questions=QUESTIONS,
    )


def opened() -> MappingSurvey:
    survey = designed()
    survey.publish_questionnaire(CTX)
    return survey


def invite(
    survey: MappingSurvey, name: str, region: str = "Skåne", kind: str = "cooperative"
) -> UUID:
    return survey.invite_respondent(
        CTX, organisation_name=name, region=region, kind=kind, member_id=None
    )


def responded(survey: MappingSurvey, name: str, staff: int, procures: int, **where: str) -> UUID:
    respondent = invite(survey, name, **where)
    survey.submit_response(
        CTX, respondent_id=respondent, answers=[("staff", staff), ("procures", procures)]
    )
    survey.validate_response(CTX, respondent_id=respondent)
    return respondent


def test_a_survey_runs_from_design_to_findings() -> None:
    survey = opened()
    for index in range(3):
        responded(survey, f"Coop {index}", staff=10 + index, procures=1)
    survey.close(CTX)
    survey.publish_findings(CTX, grouping="region_and_kind")
    published = list(survey.collect_events())[-1]
    assert published.audience == "public"  # type: ignore[attr-defined]
    assert published.cells == [  # type: ignore[attr-defined]
        {
            "region": "Skåne",
            "kind": "cooperative",
            "question": "procures",
            "organisations": 3,
            "value": 3,
        },
        {
            "region": "Skåne",
            "kind": "cooperative",
            "question": "staff",
            "organisations": 3,
            "value": 33,
        },
    ]


def test_the_minimum_cell_size_has_a_floor() -> None:
    with pytest.raises(InvalidInput, match="minimum_cell_size must be a whole number from 3"):
        designed(minimum=2)


def test_questions_have_keys_asked_once_and_a_kind() -> None:
    with pytest.raises(InvalidInput, match=r"questions\[1\].key 'staff' is asked twice"):
        MappingSurvey.design(
            CTX,
            partnership_id=uuid4(),
            title="Survey",
            minimum_cell_size=3,
            questions=[("staff", "a", "number"), ("staff", "b", "number")],
        )
    with pytest.raises(InvalidInput, match=r"questions\[0\].key must be 1 to 40"):
        MappingSurvey.design(
            CTX,
            partnership_id=uuid4(),
            title="S",
            minimum_cell_size=3,
            questions=[("Staff!", "a", "number")],
        )


def test_a_new_version_keeps_each_key_s_kind() -> None:
    survey = designed()
    with pytest.raises(InvalidInput, match="'staff' was a number question in an earlier version"):
        survey.revise_questionnaire(CTX, questions=[("staff", "Any staff?", "yes_no")])
    assert survey.revise_questionnaire(CTX, questions=[("members", "Members?", "number")]) == 2


def test_publishing_publishes_the_latest_version_once() -> None:
    survey = opened()
    with pytest.raises(RuleViolation, match="version 1 of the questionnaire is already published"):
        survey.publish_questionnaire(CTX)
    survey.revise_questionnaire(CTX, questions=[*QUESTIONS, ("members", "Members?", "number")])
    survey.publish_questionnaire(CTX)
    assert survey.published_version == 2


def test_no_invitation_before_publication_and_none_twice() -> None:
    survey = designed()
    with pytest.raises(RuleViolation, match="not published yet: no invitations"):
        invite(survey, "Coop")
    survey.publish_questionnaire(CTX)
    invite(survey, "Coop")
    with pytest.raises(RuleViolation, match="'Coop' of Skåne is already invited"):
        invite(survey, "COOP", region="skåne")
    with pytest.raises(InvalidInput, match="kind 'guild' is not one of"):
        invite(survey, "Guild", kind="guild")


def test_only_invited_organisations_respond_once_to_published_questions() -> None:
    survey = opened()
    with pytest.raises(NotFound, match="no respondent with id"):
        survey.submit_response(CTX, respondent_id=uuid4(), answers=[("staff", 1)])
    respondent = invite(survey, "Coop")
    with pytest.raises(InvalidInput, match=r"answers\[0\].question 'turnover' is not a question"):
        survey.submit_response(CTX, respondent_id=respondent, answers=[("turnover", 1)])
    with pytest.raises(InvalidInput, match=r"answers\[0\].value must be 1 for yes or 0 for no"):
        survey.submit_response(CTX, respondent_id=respondent, answers=[("procures", 2)])
    with pytest.raises(InvalidInput, match=r"answers\[0\].value must be a whole number from 0"):
        survey.submit_response(CTX, respondent_id=respondent, answers=[("staff", -1)])
    survey.submit_response(CTX, respondent_id=respondent, answers=[("staff", 4)])
    with pytest.raises(RuleViolation, match="has already responded: correct the response"):
        survey.submit_response(CTX, respondent_id=respondent, answers=[("staff", 5)])


def test_a_response_is_corrected_until_validated() -> None:
    survey = opened()
    respondent = invite(survey, "Coop")
    with pytest.raises(RuleViolation, match="has not responded yet"):
        survey.correct_response(CTX, respondent_id=respondent, answers=[("staff", 5)], note="x")
    survey.submit_response(CTX, respondent_id=respondent, answers=[("staff", 4)])
    survey.reject_response(CTX, respondent_id=respondent, reason="Staff counted twice")
    survey.correct_response(CTX, respondent_id=respondent, answers=[("staff", 2)], note="Fixed")
    assert survey.responses[respondent].status == "pending"
    survey.validate_response(CTX, respondent_id=respondent)
    with pytest.raises(RuleViolation, match="is validated: it is final"):
        survey.correct_response(CTX, respondent_id=respondent, answers=[("staff", 3)], note="x")


def test_only_a_waiting_response_is_validated_or_rejected() -> None:
    survey = opened()
    respondent = invite(survey, "Coop")
    survey.submit_response(CTX, respondent_id=respondent, answers=[("staff", 4)])
    survey.validate_response(CTX, respondent_id=respondent)
    with pytest.raises(RuleViolation, match="is validated already"):
        survey.reject_response(CTX, respondent_id=respondent, reason="Late")


def test_closing_waits_for_every_validation_and_ends_responses() -> None:
    survey = opened()
    respondent = invite(survey, "Coop")
    survey.submit_response(CTX, respondent_id=respondent, answers=[("staff", 4)])
    with pytest.raises(RuleViolation, match="1 response waits for validation"):
        survey.close(CTX)
    survey.validate_response(CTX, respondent_id=respondent)
    survey.close(CTX)
    with pytest.raises(RuleViolation, match="the survey is closed: it takes no invitations"):
        invite(survey, "Late coop")


def test_findings_come_after_closing_once_from_validated_responses() -> None:
    survey = opened()
    with pytest.raises(RuleViolation, match="no findings before the survey is closed"):
        survey.publish_findings(CTX, grouping="national")
    survey.close(CTX)
    with pytest.raises(RuleViolation, match="no findings without a validated response"):
        survey.publish_findings(CTX, grouping="national")


def test_findings_refuse_a_cell_below_the_minimum_and_record_nothing() -> None:
    survey = opened()
    for index in range(3):
        responded(survey, f"Coop {index}", staff=5, procures=1)
    responded(
        survey, "Lonely association", staff=7, procures=1, region="Gotland", kind="association"
    )
    survey.close(CTX)
    version = survey.version
    with pytest.raises(CellBelowMinimum, match="region 'Gotland', kind 'association', question"):
        survey.publish_findings(CTX, grouping="region_and_kind")
    assert survey.version == version
    survey.publish_findings(CTX, grouping="national")
    with pytest.raises(RuleViolation, match="already published"):
        survey.publish_findings(CTX, grouping="national")
