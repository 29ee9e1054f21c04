"""B7 value objects and checks: questionnaires, respondents, responses and their answers.

Kept beside `mapping_survey.py` so the aggregate reads as its rules; everything here is a
pure function of its arguments and raises `InvalidInput` with a reason a user
understands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from coordination.domain.errors import InvalidInput
from coordination.domain.survey_findings import (
    MINIMUM_CELL_CEILING,
    MINIMUM_CELL_FLOOR,
    QuestionKind,
)
from coordination.domain.values import TEXT_MAX, choice, text

QUESTIONS_MAX = 200
#: The largest number an answer may be (a count of staff, members or kronor in thousands).
ANSWER_MAX = 1_000_000_000
QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FINDINGS_PUBLISHED = "findings_published"


class ResponseStatus(StrEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Respondent:
    """An invited organisation: where it works and what kind it is, for the findings."""

    name: str
    region: str
    kind: str
    member_id: UUID | None


@dataclass(frozen=True)
class Response:
    """A respondent's answers to one questionnaire version, and where validation stands."""

    version: int
    answers: Mapping[str, int]
    status: str = ResponseStatus.PENDING.value


def checked_minimum(value: int) -> int:
    """A minimum cell size from `MINIMUM_CELL_FLOOR` to `MINIMUM_CELL_CEILING`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not MINIMUM_CELL_FLOOR <= value <= MINIMUM_CELL_CEILING
    ):
        raise InvalidInput(
            f"must be a whole number from {MINIMUM_CELL_FLOOR} to {MINIMUM_CELL_CEILING}:"
            " no published figure may describe fewer organisations",
            field="minimum_cell_size",
        )
    return value


def checked_questions(
    questions: Sequence[tuple[str, str, str]], earlier: Mapping[str, str]
) -> list[dict[str, str]]:
    """A questionnaire's questions as (key, text, kind): at least one, each key once, and
    a key asked before keeps its kind (`earlier`: key -> kind), so findings add up."""
    if not questions:
        raise InvalidInput("must hold at least one question", field="questions")
    if len(questions) > QUESTIONS_MAX:
        raise InvalidInput(
            f"holds {len(questions)} questions; the limit is {QUESTIONS_MAX}", field="questions"
        )
    parsed: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, (key, wording, kind) in enumerate(questions):
        where = f"questions[{index}]"
        if not isinstance(key, str) or not QUESTION_KEY.match(key):
            raise InvalidInput(
                "must be 1 to 40 lowercase letters, digits or underscores, beginning with a letter",
                field=f"{where}.key",
            )
        if key in seen:
            raise InvalidInput(f"'{key}' is asked twice", field=f"{where}.key")
        seen.add(key)
        parsed_kind = choice(kind, QuestionKind, f"{where}.kind")
        if earlier.get(key, parsed_kind.value) != parsed_kind.value:
            raise InvalidInput(
                f"'{key}' was a {earlier[key]} question in an earlier version: a question of"
                " another kind needs a new key",
                field=f"{where}.kind",
            )
        parsed.append(
            {
                "key": key,
                "text": text(wording, f"{where}.text", max_length=TEXT_MAX),
                "kind": parsed_kind.value,
            }
        )
    return parsed


def checked_answers(answers: Sequence[tuple[str, int]], asked: Mapping[str, str]) -> dict[str, int]:
    """Answers as (question key, value) to the questions `asked` (key -> kind): at least
    one, each question once, a number from 0 to `ANSWER_MAX` or yes (1) or no (0)."""
    if not answers:
        raise InvalidInput("must hold at least one answer", field="answers")
    parsed: dict[str, int] = {}
    for index, (key, value) in enumerate(answers):
        where = f"answers[{index}]"
        kind = asked.get(key)
        if kind is None:
            raise InvalidInput(
                f"'{key}' is not a question of the published questionnaire",
                field=f"{where}.question",
            )
        if key in parsed:
            raise InvalidInput(f"answers '{key}' twice", field=f"{where}.question")
        upper = 1 if kind == QuestionKind.YES_NO else ANSWER_MAX
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= upper:
            said = "1 for yes or 0 for no" if upper == 1 else f"a whole number from 0 to {upper}"
            raise InvalidInput(f"must be {said}", field=f"{where}.value")
        parsed[key] = value
    return parsed
