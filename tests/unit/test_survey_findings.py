"""B7 findings: no published figure describes fewer organisations than the minimum,
whatever the responses (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordination.domain.survey_findings import (
    CellBelowMinimum,
    Grouping,
    QuestionKind,
    ValidatedResponse,
    aggregate,
)

QUESTIONS = {"staff": QuestionKind.NUMBER.value, "procures": QuestionKind.YES_NO.value}

responses = st.lists(
    st.builds(
        ValidatedResponse,
        region=st.sampled_from(["Skåne", "Gotland", "Norrbotten"]),
        kind=st.sampled_from(["cooperative", "association", "municipality"]),
        answers=st.fixed_dictionaries(
            {},
            optional={
                "staff": st.integers(min_value=0, max_value=500),
                "procures": st.integers(min_value=0, max_value=1),
            },
        ),
    ),
    max_size=40,
)


@given(responses, st.sampled_from(list(Grouping)), st.integers(min_value=3, max_value=8))
def test_every_published_figure_describes_at_least_the_minimum(
    found: list[ValidatedResponse], grouping: Grouping, minimum: int
) -> None:
    try:
        cells = aggregate(found, QUESTIONS, grouping, minimum)
    except CellBelowMinimum as refused:
        message = refused.message
        cells = []
    else:
        message = ""
    if message:
        assert f"fewer than the minimum of {minimum}" in message
        return
    for cell in cells:
        count, value = int(cell["organisations"] or 0), int(cell["value"] or 0)
        assert count >= minimum
        if cell["question"] == "procures":
            assert value == 0 or value >= minimum
            assert count - value == 0 or count - value >= minimum
    answered = {q: sum(q in r.answers for r in found) for q in QUESTIONS}
    for question, total in answered.items():
        assert (
            sum(int(c["organisations"] or 0) for c in cells if c["question"] == question) == total
        )


@given(responses, st.sampled_from(list(Grouping)), st.integers(min_value=3, max_value=8))
def test_a_refusal_names_a_group_that_is_really_too_small(
    found: list[ValidatedResponse], grouping: Grouping, minimum: int
) -> None:
    """Refused only when some cell really is small: with every answer counted in one
    national cell of a number question, a survey of at least the minimum passes."""
    numbers = [ValidatedResponse(r.region, r.kind, {"staff": 1}) for r in found]
    if len(numbers) >= minimum:
        assert aggregate(numbers, QUESTIONS, Grouping.NATIONAL, minimum)[0]["organisations"] == len(
            numbers
        )
    elif numbers:
        with pytest.raises(CellBelowMinimum, match="the nation, question 'staff'"):
            aggregate(numbers, QUESTIONS, Grouping.NATIONAL, minimum)


def test_a_yes_no_count_that_singles_out_the_rest_is_refused() -> None:
    answers = [ValidatedResponse("Skåne", "cooperative", {"procures": 1}) for _ in range(4)]
    answers.append(ValidatedResponse("Skåne", "cooperative", {"procures": 0}))
    with pytest.raises(CellBelowMinimum, match="the no answers describe 1 organisation,"):
        aggregate(answers, QUESTIONS, Grouping.REGION, 3)
