"""B3 rules without storage: vocabularies, the tally, quorum and whether a rule is met.

Kept pure so the arithmetic of a vote can be tested exhaustively: the `Decision`
aggregate records what these functions return, and nothing else decides an outcome.
One organisation, one equal voice: a tally counts organisations, never weights them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from coordination.domain.errors import InvalidInput
from coordination.domain.values import (
    TEXT_MAX,
    DecisionRule,
    choice,
    in_utc,
    optional_text,
    percent,
)

#: The qualified-majority threshold when the caller does not set one.
DEFAULT_THRESHOLD = 67


class ForumKind(StrEnum):
    """Where a proposal is decided: the whole partnership or one working group."""

    PARTNERSHIP = "partnership"
    WORKING_GROUP = "working_group"


class Position(StrEnum):
    """What an organisation says on a called decision."""

    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"

    @property
    def needs_reason(self) -> bool:
        """Disagreeing and blocking must be explained, so the proposer can respond."""
        return self in (Position.DISAGREE, Position.BLOCK)


class DecisionStatus(StrEnum):
    """Where a decision is in its life; "superseded" means fully superseded."""

    TABLED = "tabled"
    CALLED = "called"
    CLOSED = "closed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


class SupersedeScope(StrEnum):
    """How much of an adopted decision a later one replaces."""

    FULL = "full"
    PART = "part"


@dataclass(frozen=True)
class Tally:
    """The counted positions of a closed decision.

    Attributes:
        agree: Organisations that agree.
        abstain: Organisations that abstain.
        disagree: Organisations that disagree.
        block: Organisations that block.
        electorate: Organisations still entitled to a voice at closing.
    """

    agree: int = 0
    abstain: int = 0
    disagree: int = 0
    block: int = 0
    electorate: int = 0

    @property
    def taken(self) -> int:
        """Organisations that took any position, abstaining included."""
        return self.agree + self.abstain + self.disagree + self.block


def count(positions: Mapping[UUID, str], electorate: Iterable[UUID]) -> Tally:
    """Tally the positions of `electorate`; positions of anyone else do not count."""
    voters = set(electorate)
    counted = [Position(p) for org, p in positions.items() if org in voters]
    return Tally(
        agree=counted.count(Position.AGREE),
        abstain=counted.count(Position.ABSTAIN),
        disagree=counted.count(Position.DISAGREE),
        block=counted.count(Position.BLOCK),
        electorate=len(voters),
    )


def standing_tally(
    positions: Mapping[UUID, str], electorate: Iterable[UUID], withdrawn: Collection[UUID]
) -> Tally:
    """The tally of a call as it stands: its electorate less the organisations in
    `withdrawn` (those that have withdrawn from the partnership since the call), which
    count neither in the positions nor in the quorum, for open decisions lose that vote
    (B1).

    Closing records this tally; the decisions view shows it live while the vote runs, so
    both follow this one rule.
    """
    return count(positions, [org for org in electorate if org not in withdrawn])


def quorum_met(tally: Tally, quorum_percent: int) -> bool:
    """True when enough of the electorate took a position (integer arithmetic, no rounding)."""
    return tally.taken * 100 >= quorum_percent * tally.electorate


def shortfall(
    rule: DecisionRule, tally: Tally, quorum_percent: int, threshold_percent: int | None
) -> str | None:
    """Why `rule` is not met by `tally`, in words; None when it is met."""
    if not quorum_met(tally, quorum_percent):
        return (
            f"the quorum of {quorum_percent}% was not reached"
            f" ({tally.taken} of {tally.electorate} organisations took a position)"
        )
    if rule is DecisionRule.CONSENSUS:
        if tally.block or tally.disagree:
            return (
                f"consensus fails: {tally.block} organisation(s) block and"
                f" {tally.disagree} disagree"
            )
        if not tally.agree:
            return "consensus needs at least one organisation that agrees"
        return None
    if rule is DecisionRule.CONSENT:
        return f"consent fails: {tally.block} organisation(s) block" if tally.block else None
    against = tally.disagree + tally.block
    if rule is DecisionRule.MAJORITY:
        if tally.agree > against:
            return None
        return f"no majority: {tally.agree} agree against {against} disagreeing or blocking"
    threshold = DEFAULT_THRESHOLD if threshold_percent is None else threshold_percent
    if tally.agree > 0 and tally.agree * 100 >= threshold * (tally.agree + against):
        return None
    return (
        f"no qualified majority of {threshold}%: {tally.agree} agree against {against}"
        " disagreeing or blocking"
    )


def rule_met(
    rule: DecisionRule, tally: Tally, quorum_percent: int, threshold_percent: int | None
) -> bool:
    """True when `tally` meets `rule` and the quorum."""
    return shortfall(rule, tally, quorum_percent, threshold_percent) is None


def parse_stance(position: str, reason: str | None) -> tuple[Position, str | None]:
    """A position and its reason, refusing disagreement or a block without a reason."""
    chosen = choice(position, Position, "position")
    why = optional_text(reason, "reason", max_length=TEXT_MAX)
    if chosen.needs_reason and why is None:
        raise InvalidInput(f"is required to {chosen.value}", field="reason")
    return chosen, why


def parse_terms(
    rule: str, quorum_percent: int, threshold_percent: int, called_at: datetime, closes_at: datetime
) -> tuple[DecisionRule, int, int | None]:
    """The rule, quorum and threshold (only a qualified majority has one) of a call."""
    chosen = choice(rule, DecisionRule, "rule")
    quorum = percent(quorum_percent, "quorum_percent")
    threshold = None
    if chosen is DecisionRule.QUALIFIED_MAJORITY:
        threshold = percent(threshold_percent, "threshold_percent")
        if threshold <= 50:
            raise InvalidInput(
                "must be more than 50% for a qualified majority", field="threshold_percent"
            )
    in_utc(closes_at, "closes_at")  # zoned, and a time the views can store
    if closes_at <= called_at:
        raise InvalidInput(
            f"must be after the vote is called ({closes_at.isoformat()} is not"
            f" after {called_at.isoformat()})",
            field="closes_at",
        )
    return chosen, quorum, threshold


# -- value objects of the Decision aggregate ------------------------------------


@dataclass(frozen=True)
class Call:
    """The terms on which a decision was called; replaced by a new call after a deferral."""

    rule: DecisionRule
    quorum_percent: int
    threshold_percent: int | None
    called_at: datetime
    closes_at: datetime
    electorate: list[UUID]


@dataclass(frozen=True)
class Stance:
    """One organisation's counted position; the earlier ones live in the event history."""

    position: Position
    reason: str | None
    revision: int
    by_proxy: bool


@dataclass(frozen=True)
class Proxy:
    """A representative of another organisation who may act for the granting one."""

    person_id: UUID
    member_id: UUID


@dataclass(frozen=True)
class Contribution:
    """One message of the discussion thread, on the revision it was written about."""

    contribution_id: UUID
    member_id: UUID
    text: str
    revision: int
    posted_at: datetime


@dataclass(frozen=True)
class Result:
    """What closing recorded: the tally, the quorum and whether the rule was met."""

    tally: Tally
    quorum_met: bool
    rule_met: bool
    counted: list[UUID] = field(default_factory=list)
    withdrawn: list[UUID] = field(default_factory=list)
