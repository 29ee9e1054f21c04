"""B3 vote arithmetic, without storage: tally, quorum and each decision rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordination.domain.decision_rules import (
    Position,
    Tally,
    count,
    parse_stance,
    parse_terms,
    quorum_met,
    rule_met,
    shortfall,
)
from coordination.domain.errors import InvalidInput
from coordination.domain.values import DecisionRule

RULES = list(DecisionRule)
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@st.composite
def tallies(draw: st.DrawFn, *, min_block: int = 0) -> Tally:
    """Any mix of positions, and an electorate at least as large as the positions taken."""
    counts = [draw(st.integers(0, 12)) for _ in range(3)]
    block = draw(st.integers(min_block, 12))
    extra = draw(st.integers(0, 6))
    agree, abstain, disagree = counts
    return Tally(agree, abstain, disagree, block, agree + abstain + disagree + block + extra)


def test_only_the_electorate_is_counted() -> None:
    a, b, outsider = uuid4(), uuid4(), uuid4()
    tally = count({a: "agree", b: "block", outsider: "agree"}, [a, b])
    assert (tally.agree, tally.block, tally.electorate) == (1, 1, 2)


def test_an_electorate_member_without_a_position_counts_towards_the_electorate_only() -> None:
    a, b = uuid4(), uuid4()
    tally = count({a: "abstain"}, [a, b])
    assert (tally.taken, tally.electorate) == (1, 2)


def test_quorum_uses_exact_integer_arithmetic() -> None:
    assert quorum_met(Tally(agree=3, electorate=5), 60)
    assert not quorum_met(Tally(agree=2, electorate=5), 50)  # 40% is short of 50%
    assert quorum_met(Tally(abstain=1, electorate=2), 50)  # abstaining counts for the quorum
    assert quorum_met(Tally(electorate=5), 0)


@given(tallies(min_block=1), st.integers(0, 100))
def test_consensus_fails_on_any_block(tally: Tally, quorum: int) -> None:
    assert not rule_met(DecisionRule.CONSENSUS, tally, quorum, None)


@given(tallies(min_block=1), st.integers(0, 100))
def test_consent_fails_on_any_block(tally: Tally, quorum: int) -> None:
    assert not rule_met(DecisionRule.CONSENT, tally, quorum, None)


def test_consensus_fails_on_disagreement_and_needs_an_agreement() -> None:
    assert not rule_met(DecisionRule.CONSENSUS, Tally(agree=4, disagree=1, electorate=5), 0, None)
    assert not rule_met(DecisionRule.CONSENSUS, Tally(abstain=5, electorate=5), 0, None)
    assert rule_met(DecisionRule.CONSENSUS, Tally(agree=1, abstain=4, electorate=5), 0, None)


def test_consent_is_not_stopped_by_disagreement() -> None:
    assert rule_met(DecisionRule.CONSENT, Tally(agree=1, disagree=4, electorate=5), 0, None)


def test_majority_needs_more_agreement_than_disagreement_and_blocks() -> None:
    assert rule_met(
        DecisionRule.MAJORITY, Tally(agree=3, disagree=1, block=1, electorate=5), 0, None
    )
    assert not rule_met(
        DecisionRule.MAJORITY, Tally(agree=2, disagree=1, block=1, electorate=4), 0, None
    )


def test_qualified_majority_compares_agreement_with_the_threshold() -> None:
    two_thirds = Tally(agree=2, disagree=1, electorate=3)
    assert not rule_met(DecisionRule.QUALIFIED_MAJORITY, two_thirds, 0, 67)
    assert rule_met(DecisionRule.QUALIFIED_MAJORITY, two_thirds, 0, 66)
    assert rule_met(DecisionRule.QUALIFIED_MAJORITY, Tally(agree=3, electorate=3), 0, None)
    assert not rule_met(DecisionRule.QUALIFIED_MAJORITY, Tally(abstain=3, electorate=3), 0, 67)


@given(tallies(), st.sampled_from(RULES), st.integers(0, 100), st.integers(51, 100))
def test_no_rule_is_met_without_the_quorum(
    tally: Tally, rule: DecisionRule, quorum: int, threshold: int
) -> None:
    if not quorum_met(tally, quorum):
        assert not rule_met(rule, tally, quorum, threshold)
        assert "quorum" in (shortfall(rule, tally, quorum, threshold) or "")


@given(tallies(), st.integers(0, 100), st.integers(51, 100))
def test_consensus_implies_every_other_rule(tally: Tally, quorum: int, threshold: int) -> None:
    if rule_met(DecisionRule.CONSENSUS, tally, quorum, None):
        assert all(rule_met(rule, tally, quorum, threshold) for rule in RULES)


@given(tallies(), st.integers(51, 100))
def test_a_qualified_majority_is_a_majority(tally: Tally, threshold: int) -> None:
    if rule_met(DecisionRule.QUALIFIED_MAJORITY, tally, 0, threshold):
        assert rule_met(DecisionRule.MAJORITY, tally, 0, None)


@given(tallies(), st.sampled_from(RULES), st.integers(1, 5))
def test_abstentions_do_not_change_an_outcome_once_the_quorum_is_met(
    tally: Tally, rule: DecisionRule, more: int
) -> None:
    more_abstaining = Tally(
        tally.agree, tally.abstain + more, tally.disagree, tally.block, tally.electorate + more
    )
    assert rule_met(rule, tally, 0, 67) == rule_met(rule, more_abstaining, 0, 67)


@given(tallies(), st.sampled_from(RULES), st.integers(0, 100))
def test_the_shortfall_explains_exactly_the_unmet_rules(
    tally: Tally, rule: DecisionRule, quorum: int
) -> None:
    reason = shortfall(rule, tally, quorum, 67)
    assert (reason is None) == rule_met(rule, tally, quorum, 67)


@pytest.mark.parametrize("position", ["disagree", "block"])
def test_disagreeing_and_blocking_need_a_reason(position: str) -> None:
    with pytest.raises(InvalidInput, match=f"reason is required to {position}"):
        parse_stance(position, "   ")
    assert parse_stance(position, " Too costly ") == (Position(position), "Too costly")


def test_agreeing_and_abstaining_need_no_reason() -> None:
    assert parse_stance("agree", None) == (Position.AGREE, None)
    assert parse_stance("abstain", "") == (Position.ABSTAIN, None)
    with pytest.raises(InvalidInput, match="agree, abstain, disagree, block"):
        parse_stance("veto", None)


def test_terms_of_a_call_are_checked() -> None:
    later = NOW + timedelta(days=1)
    assert parse_terms("majority", 50, 67, NOW, later) == (DecisionRule.MAJORITY, 50, None)
    assert parse_terms("qualified_majority", 50, 75, NOW, later)[2] == 75
    with pytest.raises(InvalidInput, match="more than 50%"):
        parse_terms("qualified_majority", 50, 50, NOW, later)
    with pytest.raises(InvalidInput, match="from 0 to 100"):
        parse_terms("consent", 101, 67, NOW, later)
    with pytest.raises(InvalidInput, match="closes_at must be after the vote is called"):
        parse_terms("consent", 50, 67, NOW, NOW)
    with pytest.raises(InvalidInput, match="time zone"):
        parse_terms("consent", 50, 67, NOW, later.replace(tzinfo=None))
    with pytest.raises(InvalidInput, match="consensus, consent"):
        parse_terms("unanimity", 50, 67, NOW, later)
