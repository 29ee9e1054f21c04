"""B3. A decision, from proposal through discussion to its outcome.

A proposal is tabled in a forum (the partnership or one of its working groups), discussed,
revised, called under a rule, and closed: closing seals it and records the tally, after
which it is adopted (only if the rule is met) or rejected. Checks that need other streams
(who represents whom, who belongs to the forum) are made by the application, which
passes their results in; this module holds the decision's own rules. The arithmetic of
the vote lives in `decision_rules`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision_rules import (
    Call,
    Contribution,
    DecisionStatus,
    ForumKind,
    Position,
    Proxy,
    Result,
    Stance,
    SupersedeScope,
    Tally,
    parse_stance,
    parse_terms,
    quorum_met,
    shortfall,
    standing_tally,
)
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.values import (
    TEXT_MAX,
    TITLE_MAX,
    Audience,
    DecisionRule,
    choice,
    document_hash,
    forum_audience,
    name,
    text,
)

#: Why closing a working group withdrew a proposal of the group still open.
GROUP_CLOSED_REASON = "withdrawn because the working group was closed"


class Decision(CoordinationAggregate):
    """One proposal and what became of it; the old one stays readable when superseded."""

    TOPIC = "coordination.decision"
    KIND = "decision"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class ProposalTabled(CoordinationAggregate.Created):
        TOPIC = "coordination.decision.proposal_tabled"
        partnership_id: UUID
        forum_kind: str
        forum_id: UUID
        proposer_id: UUID
        title: str
        text: str
        rationale: str
        supersedes: UUID | None

        def apply(self, d: Decision) -> None:
            d.partnership_id, d.forum_kind, d.forum_id = (
                self.partnership_id,
                ForumKind(self.forum_kind),
                self.forum_id,
            )
            d.proposer_id, d.supersedes = self.proposer_id, self.supersedes
            d.title, d.text, d.rationale = self.title, self.text, self.rationale
            d.revision, d.status = 1, DecisionStatus.TABLED

    class ContributionPosted(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.contribution_posted"
        contribution_id: UUID
        member_id: UUID
        text: str
        revision: int

        def apply(self, d: Decision) -> None:
            d.contributions.append(
                Contribution(
                    self.contribution_id,
                    self.member_id,
                    self.text,
                    self.revision,
                    self.occurred_at,
                )
            )

    class ProposalRevised(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.proposal_revised"
        revision: int
        title: str
        text: str
        rationale: str

        def apply(self, d: Decision) -> None:
            d.revision, d.title, d.text, d.rationale = (
                self.revision,
                self.title,
                self.text,
                self.rationale,
            )

    class DecisionCalled(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.decision_called"
        rule: str
        quorum_percent: int
        threshold_percent: int | None
        closes_at: datetime
        electorate: list[UUID]

        def apply(self, d: Decision) -> None:
            d.call = Call(
                DecisionRule(self.rule),
                self.quorum_percent,
                self.threshold_percent,
                self.occurred_at,
                self.closes_at,
                list(self.electorate),
            )
            d.status = DecisionStatus.CALLED

    class ProxyGranted(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.proxy_granted"
        member_id: UUID
        proxy_person_id: UUID
        proxy_member_id: UUID

        def apply(self, d: Decision) -> None:
            d.proxies[self.member_id] = Proxy(self.proxy_person_id, self.proxy_member_id)

    class PositionTaken(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.position_taken"
        member_id: UUID
        position: str
        reason: str | None
        revision: int
        by_proxy: bool

        def apply(self, d: Decision) -> None:
            d.positions[self.member_id] = Stance(
                Position(self.position), self.reason, self.revision, self.by_proxy
            )

    class PositionRevised(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.position_revised"
        member_id: UUID
        position: str
        reason: str | None
        revision: int
        by_proxy: bool

        def apply(self, d: Decision) -> None:
            d.positions[self.member_id] = Stance(
                Position(self.position), self.reason, self.revision, self.by_proxy
            )

    class DecisionClosed(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.decision_closed"
        agree: int
        abstain: int
        disagree: int
        block: int
        counted: list[UUID]
        withdrawn: list[UUID]
        quorum_met: bool
        rule_met: bool

        def apply(self, d: Decision) -> None:
            tally = Tally(self.agree, self.abstain, self.disagree, self.block, len(self.counted))
            d.result = Result(
                tally, self.quorum_met, self.rule_met, list(self.counted), list(self.withdrawn)
            )
            d.status = DecisionStatus.CLOSED

    class DecisionAdopted(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.decision_adopted"
        outcome: str
        effective_on: date
        review_on: date | None

        def apply(self, d: Decision) -> None:
            d.outcome, d.effective_on, d.review_on = (
                self.outcome,
                self.effective_on,
                self.review_on,
            )
            d.adopted_at, d.status = self.occurred_at, DecisionStatus.ADOPTED

    class DecisionRejected(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.decision_rejected"
        reason: str

        def apply(self, d: Decision) -> None:
            d.end_reason, d.status = self.reason, DecisionStatus.REJECTED

    class ProposalWithdrawn(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.proposal_withdrawn"
        reason: str

        def apply(self, d: Decision) -> None:
            d.end_reason, d.status = self.reason, DecisionStatus.WITHDRAWN

    class DecisionDeferred(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.decision_deferred"
        until: date
        reason: str

        def apply(self, d: Decision) -> None:
            d.deferred_until, d.deferral_reason = self.until, self.reason
            # The call lapses: a new call is a new vote, with its own positions and proxies.
            d.call, d.positions, d.proxies = None, {}, {}
            d.status = DecisionStatus.TABLED

    class DecisionSuperseded(CoordinationAggregate.Event):
        TOPIC = "coordination.decision.decision_superseded"
        by_decision_id: UUID
        scope: str
        note: str

        def apply(self, d: Decision) -> None:
            if self.scope == SupersedeScope.FULL:
                d.superseded_by, d.status = self.by_decision_id, DecisionStatus.SUPERSEDED
            else:
                d.superseded_in_part_by.append(self.by_decision_id)

    class DecisionRecordedFromMinutes(CoordinationAggregate.Created):
        TOPIC = "coordination.decision.decision_recorded_from_minutes"
        partnership_id: UUID
        forum_kind: str
        forum_id: UUID
        workshop_id: UUID
        minutes_hash: str
        title: str
        text: str
        outcome: str
        effective_on: date

        def apply(self, d: Decision) -> None:
            d.partnership_id, d.forum_kind, d.forum_id = (
                self.partnership_id,
                ForumKind(self.forum_kind),
                self.forum_id,
            )
            d.workshop_id, d.minutes_hash = self.workshop_id, self.minutes_hash
            d.title, d.text, d.outcome = self.title, self.text, self.outcome
            # The library gives every nested created event the aggregate's metadata fields at
            # runtime; the type checker only sees the library's bare Created.
            occurred_at: datetime = self.occurred_at  # type: ignore[attr-defined,unused-ignore]
            d.effective_on, d.adopted_at = self.effective_on, occurred_at
            d.revision, d.status = 1, DecisionStatus.ADOPTED

    def __init__(self) -> None:
        self.partnership_id = self.forum_id = UUID(int=0)
        self.forum_kind = ForumKind.PARTNERSHIP
        self.proposer_id: UUID | None = None
        self.supersedes: UUID | None = None
        self.title = self.text = self.rationale = ""
        self.revision = 0
        self.status = DecisionStatus.TABLED
        self.contributions: list[Contribution] = []
        self.call: Call | None = None
        self.proxies: dict[UUID, Proxy] = {}
        self.positions: dict[UUID, Stance] = {}
        self.result: Result | None = None
        self.outcome: str | None = None
        self.effective_on: date | None = None
        self.review_on: date | None = None
        self.adopted_at: datetime | None = None
        self.end_reason: str | None = None
        self.deferred_until: date | None = None
        self.deferral_reason: str | None = None
        self.superseded_by: UUID | None = None
        self.superseded_in_part_by: list[UUID] = []
        self.workshop_id: UUID | None = None
        self.minutes_hash: str | None = None

    def audience(self) -> str:
        """A working group's decisions are seen by its forum; the partnership's by all partners."""
        if self.forum_kind is ForumKind.WORKING_GROUP:
            return forum_audience(self.forum_id)
        return Audience.PARTNERSHIP.value

    # -- queries ------------------------------------------------------------------

    @property
    def sealed(self) -> bool:
        """Closed, and so frozen: no further positions, revisions, contributions or proxies."""
        return self.status in (
            DecisionStatus.CLOSED,
            DecisionStatus.ADOPTED,
            DecisionStatus.REJECTED,
            DecisionStatus.SUPERSEDED,
        )

    @property
    def in_force(self) -> bool:
        """Adopted and not fully superseded (a decision superseded in part stays in force)."""
        return self.status is DecisionStatus.ADOPTED

    def flagged_positions(self) -> list[UUID]:
        """Organisations whose position was taken on an earlier revision of the proposal."""
        return [org for org, s in self.positions.items() if s.revision < self.revision]

    def proxy_for(self, member_id: UUID) -> Proxy | None:
        """The proxy `member_id` granted for this decision, if any."""
        return self.proxies.get(member_id)

    def ensure_in_force(self, what: str) -> None:
        """Refuse a decision that is not adopted or is fully superseded."""
        if not self.in_force:
            raise RuleViolation(f"{what} must be an adopted decision still in force")

    # -- commands -----------------------------------------------------------------

    @classmethod
    def table(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        forum_kind: ForumKind,
        forum_id: UUID,
        proposer_id: UUID,
        title: str,
        body: str,
        rationale: str,
        supersedes: UUID | None,
    ) -> Decision:
        """Table a proposal in a forum the application has checked."""
        return cls.start(
            cls.ProposalTabled,
            ctx,
            audience=_forum_audience(forum_kind, forum_id),
            partnership_id=partnership_id,
            forum_kind=forum_kind.value,
            forum_id=forum_id,
            proposer_id=proposer_id,
            title=name(title, "title", max_length=TITLE_MAX),
            text=text(body, "text", max_length=TEXT_MAX),
            rationale=text(rationale, "rationale", max_length=TEXT_MAX),
            supersedes=supersedes,
        )

    @classmethod
    def record_from_minutes(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        forum_kind: ForumKind,
        forum_id: UUID,
        workshop_id: UUID,
        minutes_hash: str,
        title: str,
        body: str,
        outcome: str,
        effective_on: date,
    ) -> Decision:
        """Record a decision taken at a meeting whose approved minutes it links."""
        return cls.start(
            cls.DecisionRecordedFromMinutes,
            ctx,
            audience=_forum_audience(forum_kind, forum_id),
            partnership_id=partnership_id,
            forum_kind=forum_kind.value,
            forum_id=forum_id,
            workshop_id=workshop_id,
            minutes_hash=document_hash(minutes_hash, "minutes_hash"),
            title=name(title, "title", max_length=TITLE_MAX),
            text=text(body, "text", max_length=TEXT_MAX),
            outcome=text(outcome, "outcome", max_length=TEXT_MAX),
            effective_on=effective_on,
        )

    def post_contribution(self, ctx: Context, *, member_id: UUID, body: str) -> UUID:
        """Add to the discussion thread until the decision is sealed; returns its id."""
        self._ensure_unsealed("contributions")
        contribution_id = uuid4()
        self.record(
            self.ContributionPosted,
            ctx,
            contribution_id=contribution_id,
            member_id=member_id,
            text=text(body, "text", max_length=TEXT_MAX),
            revision=self.revision,
        )
        return contribution_id

    def revise(self, ctx: Context, *, title: str, body: str, rationale: str) -> None:
        """Replace the proposal before closing; earlier positions become flagged."""
        self._ensure_unsealed("revisions")
        revised = (
            name(title, "title", max_length=TITLE_MAX),
            text(body, "text", max_length=TEXT_MAX),
            text(rationale, "rationale", max_length=TEXT_MAX),
        )
        if revised == (self.title, self.text, self.rationale):
            raise RuleViolation("the revision changes nothing in the proposal")
        self.record(
            self.ProposalRevised,
            ctx,
            revision=self.revision + 1,
            title=revised[0],
            text=revised[1],
            rationale=revised[2],
        )

    def call_vote(
        self,
        ctx: Context,
        *,
        rule: str,
        quorum_percent: int,
        threshold_percent: int,
        closes_at: datetime,
        electorate: list[UUID],
    ) -> None:
        """Open the vote under a rule, a quorum and a closing time.

        The application computes `electorate`: the forum's current member organisations.
        """
        self._ensure_unsealed("calls")
        if self.status is DecisionStatus.CALLED:
            raise RuleViolation("the decision is already called; close it or defer it first")
        chosen, quorum, threshold = parse_terms(
            rule, quorum_percent, threshold_percent, ctx.occurred_at, closes_at
        )
        if not electorate:
            raise RuleViolation("the forum has no member organisations to decide")
        self.record(
            self.DecisionCalled,
            ctx,
            rule=chosen.value,
            quorum_percent=quorum,
            threshold_percent=threshold,
            closes_at=closes_at,
            electorate=sorted(set(electorate), key=str),
        )

    def grant_proxy(
        self, ctx: Context, *, member_id: UUID, proxy_person_id: UUID, proxy_member_id: UUID
    ) -> None:
        """Let a representative of another member act for `member_id` on this decision.

        A new grant replaces any earlier proxy of `member_id`.
        """
        self._ensure_elector(self._ensure_voting(ctx, "proxies"), member_id)
        if proxy_member_id == member_id:
            raise RuleViolation("an organisation's own representatives need no proxy")
        if self.proxies.get(member_id) == Proxy(proxy_person_id, proxy_member_id):
            raise RuleViolation("this proxy is already granted")
        self.record(
            self.ProxyGranted,
            ctx,
            member_id=member_id,
            proxy_person_id=proxy_person_id,
            proxy_member_id=proxy_member_id,
        )

    def take_position(
        self, ctx: Context, *, member_id: UUID, position: str, reason: str | None, by_proxy: bool
    ) -> None:
        """Record `member_id`'s first position; a second one is a revision."""
        self._ensure_elector(self._ensure_voting(ctx, "positions"), member_id)
        if member_id in self.positions:
            raise RuleViolation(
                "this organisation has already taken a position on this decision; revise it instead"
            )
        self.record(self.PositionTaken, ctx, **self._stance(member_id, position, reason, by_proxy))

    def revise_position(
        self, ctx: Context, *, member_id: UUID, position: str, reason: str | None, by_proxy: bool
    ) -> None:
        """Replace `member_id`'s position; the earlier one stays in the history."""
        self._ensure_elector(self._ensure_voting(ctx, "positions"), member_id)
        earlier = self.positions.get(member_id)
        if earlier is None:
            raise RuleViolation("this organisation has no position to revise; take one first")
        data = self._stance(member_id, position, reason, by_proxy)
        if (earlier.position, earlier.reason, earlier.revision) == (
            data["position"],
            data["reason"],
            data["revision"],
        ):
            raise RuleViolation("the revised position is the same as the one already taken")
        self.record(self.PositionRevised, ctx, **data)

    def close(self, ctx: Context, *, current_members: list[UUID]) -> None:
        """Seal the vote and record its tally; `current_members` are the partnership's today."""
        call = self._ensure_status(DecisionStatus.CALLED, "closed")
        assert call is not None
        current = set(current_members)
        withdrawn = [org for org in call.electorate if org not in current]
        counted = [org for org in call.electorate if org in current]
        if ctx.occurred_at < call.closes_at and any(o not in self.positions for o in counted):
            raise RuleViolation(
                f"the vote runs until {call.closes_at.isoformat()}; it closes earlier only when"
                " every organisation of the electorate has taken a position"
            )
        positions = {org: stance.position for org, stance in self.positions.items()}
        tally = standing_tally(positions, call.electorate, withdrawn)
        missing = shortfall(call.rule, tally, call.quorum_percent, call.threshold_percent)
        self.record(
            self.DecisionClosed,
            ctx,
            agree=tally.agree,
            abstain=tally.abstain,
            disagree=tally.disagree,
            block=tally.block,
            counted=counted,
            withdrawn=withdrawn,
            quorum_met=quorum_met(tally, call.quorum_percent),
            rule_met=missing is None,
        )

    def adopt(
        self, ctx: Context, *, outcome: str, effective_on: date, review_on: date | None
    ) -> None:
        """Adopt a closed decision whose rule is met, with its outcome and dates."""
        call = self._ensure_status(DecisionStatus.CLOSED, "adopted")
        assert call is not None
        assert self.result is not None
        if not self.result.rule_met:
            missing = shortfall(
                call.rule, self.result.tally, call.quorum_percent, call.threshold_percent
            )
            raise RuleViolation(f"the decision cannot be adopted: {missing}")
        if review_on is not None and review_on <= effective_on:
            raise InvalidInput(
                f"must be after the effective date ({effective_on})", field="review_on"
            )
        self.record(
            self.DecisionAdopted,
            ctx,
            outcome=text(outcome, "outcome", max_length=TEXT_MAX),
            effective_on=effective_on,
            review_on=review_on,
        )

    def reject(self, ctx: Context, *, reason: str) -> None:
        """Reject a closed decision whose rule is not met."""
        self._ensure_status(DecisionStatus.CLOSED, "rejected")
        assert self.result is not None
        if self.result.rule_met:
            raise RuleViolation("the decision met its rule: adopt it rather than reject it")
        self.record(self.DecisionRejected, ctx, reason=text(reason, "reason", max_length=TEXT_MAX))

    def withdraw(self, ctx: Context, *, reason: str) -> None:
        """Withdraw the proposal before the decision is closed."""
        self._ensure_unsealed("withdrawal")
        self.record(self.ProposalWithdrawn, ctx, reason=text(reason, "reason", max_length=TEXT_MAX))

    def withdraw_with_group(self, ctx: Context) -> bool:
        """Settle this decision as its working group closes; True when that recorded an event.

        A proposal still open (tabled, deferred or called) is withdrawn, its positions kept
        in the history; an outcome already reached (adopted, rejected, withdrawn,
        superseded) stands. A vote closed and counted but without its outcome refuses the
        closing: the tally says whether the rule was met, so the group adopts or rejects
        it first rather than letting a counted vote end as a withdrawal.
        """
        if self.status is DecisionStatus.CLOSED:
            raise RuleViolation(
                f"the vote on '{self.title}' ({self.id}) is closed and awaits adoption or"
                " rejection: settle it before the working group is closed"
            )
        if self.status not in (DecisionStatus.TABLED, DecisionStatus.CALLED):
            return False
        self.record(self.ProposalWithdrawn, ctx, reason=GROUP_CLOSED_REASON)
        return True

    def defer(self, ctx: Context, *, until: date, reason: str) -> None:
        """Put the proposal back on the table until a later date; a running call lapses."""
        self._ensure_unsealed("deferral")
        if until <= ctx.today:
            raise InvalidInput(f"must be later than today ({ctx.today})", field="until")
        self.record(
            self.DecisionDeferred,
            ctx,
            until=until,
            reason=text(reason, "reason", max_length=TEXT_MAX),
        )

    def supersede(self, ctx: Context, *, by: Decision, scope: str, note: str) -> None:
        """Record that the adopted decision `by` replaces this one, fully or in part."""
        chosen = choice(scope, SupersedeScope, "scope")
        self.ensure_in_force("the superseded decision")
        by.ensure_in_force("the superseding decision")
        if by.id == self.id:
            raise RuleViolation("a decision cannot supersede itself")
        if by.partnership_id != self.partnership_id:
            raise RuleViolation("a decision can only be superseded by one of the same partnership")
        if by.id in self.superseded_in_part_by and chosen is SupersedeScope.PART:
            raise RuleViolation("this decision is already superseded in part by that one")
        assert self.adopted_at is not None
        assert by.adopted_at is not None
        if by.adopted_at < self.adopted_at:
            raise RuleViolation("a decision can only be superseded by one adopted after it")
        self.record(
            self.DecisionSuperseded,
            ctx,
            by_decision_id=by.id,
            scope=chosen.value,
            note=text(note, "note", max_length=TEXT_MAX),
        )

    # -- guards ---------------------------------------------------------------------

    def _ensure_unsealed(self, what: str) -> None:
        if self.status is DecisionStatus.WITHDRAWN:
            raise RuleViolation(f"the proposal was withdrawn: no further {what}")
        if self.sealed:
            raise RuleViolation(f"the decision is closed and sealed: no further {what}")

    def _ensure_voting(self, ctx: Context, what: str) -> Call:
        self._ensure_unsealed(what)
        if self.call is None:
            raise RuleViolation(f"the decision has not been called: {what} come once it is")
        if ctx.occurred_at >= self.call.closes_at:
            raise RuleViolation(
                f"the vote closed at {self.call.closes_at.isoformat()}: no further {what}"
            )
        return self.call

    def _ensure_elector(self, call: Call, member_id: UUID) -> None:
        if member_id not in call.electorate:
            raise RuleViolation(
                "the organisation is not in the electorate of this decision"
                " (the forum's members when it was called)"
            )

    def _ensure_status(self, wanted: DecisionStatus, verb: str) -> Call | None:
        if self.status is DecisionStatus.WITHDRAWN:
            raise RuleViolation(f"the proposal was withdrawn and cannot be {verb}")
        if self.status is not wanted:
            raise RuleViolation(
                f"the decision is {self.status.value}; only a {wanted.value} decision can be {verb}"
            )
        return self.call

    def _stance(
        self, member_id: UUID, position: str, reason: str | None, by_proxy: bool
    ) -> dict[str, Any]:
        chosen, why = parse_stance(position, reason)
        return {
            "member_id": member_id,
            "position": chosen.value,
            "reason": why,
            "revision": self.revision,
            "by_proxy": by_proxy,
        }


def _forum_audience(kind: ForumKind, forum_id: UUID) -> str:
    if kind is ForumKind.WORKING_GROUP:
        return forum_audience(forum_id)
    return Audience.PARTNERSHIP.value
