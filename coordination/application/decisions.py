"""Use cases of B3: decisions, from proposal to outcome.

The decision stream knows nothing of mandates, partnership membership, working groups or
workshops, so each use case loads those streams to check the cross-stream rules first:
who acts for which organisation, who belongs to the forum (the electorate is fixed at
call time), whose proxy a person holds. Only decision streams are written here; adopting
a proposal that supersedes an earlier decision writes both in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from coordination.application.service import (
    NO_OPTIONS,
    CommandOptions,
    CommandResult,
    Outcome,
    Service,
)
from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.decision_rules import DEFAULT_THRESHOLD, ForumKind, SupersedeScope
from coordination.domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from coordination.domain.partnership import Partnership, person_of
from coordination.domain.values import choice
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop
from coordination.domain.workshop_parts import MinutesStatus


class DecisionCommands(Service):
    """Commands of B3: decisions, from proposal to outcome."""

    def table_proposal(
        self,
        ctx: Context,
        *,
        partnership_id: UUID,
        forum_kind: str,
        forum_id: UUID,
        title: str,
        text: str,
        rationale: str,
        supersedes: UUID | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Table a proposal in the partnership or a working group, for the acting member."""

        def handle() -> Outcome:
            partnership = self._load(Partnership, partnership_id)
            member_id = partnership.ensure_acts_for(ctx)
            kind = self._decision_forum(partnership, forum_kind, forum_id, member_id)
            if supersedes is not None:
                earlier = self._decision_of(partnership, supersedes)
                earlier.ensure_in_force("the decision a proposal supersedes")
            decision = Decision.table(
                ctx,
                partnership_id=partnership_id,
                forum_kind=kind,
                forum_id=forum_id,
                proposer_id=member_id,
                title=title,
                body=text,
                rationale=rationale,
                supersedes=supersedes,
            )
            return Outcome(decision, created_id=decision.id)

        return self._run(
            ctx,
            "table_proposal",
            handle,
            options,
            partnership_id=partnership_id,
            forum_kind=forum_kind,
            forum_id=forum_id,
            title=title,
            text=text,
            rationale=rationale,
            supersedes=supersedes,
        )

    def post_contribution(
        self, ctx: Context, decision_id: UUID, *, text: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Add to the discussion thread, for a member organisation of the forum."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            partnership = self._load(Partnership, decision.partnership_id)
            member_id = partnership.ensure_acts_for(ctx)
            self._decision_forum(partnership, decision.forum_kind, decision.forum_id, member_id)
            contribution_id = decision.post_contribution(ctx, member_id=member_id, body=text)
            return Outcome(decision, created_id=contribution_id)

        return self._run(
            ctx, "post_contribution", handle, options, decision_id=decision_id, text=text
        )

    def revise_proposal(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        title: str,
        text: str,
        rationale: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Revise the proposal before closing; positions on the earlier text are flagged."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            self._decision_proposer_or_secretariat(ctx, decision, "revise")
            decision.revise(ctx, title=title, body=text, rationale=rationale)
            return Outcome(decision)

        return self._run(
            ctx,
            "revise_proposal",
            handle,
            options,
            decision_id=decision_id,
            title=title,
            text=text,
            rationale=rationale,
        )

    def call_decision(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        rule: str | None = None,
        quorum_percent: int,
        closes_at: datetime,
        threshold_percent: int = DEFAULT_THRESHOLD,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Call the decision: the forum's current member organisations become its electorate.

        Args:
            rule: consensus, consent, majority or qualified_majority; a working group's
                decision defaults to the rule of the group's charter.
            quorum_percent: The share of the electorate that must take a position.
            closes_at: When taking positions ends; after the call.
            threshold_percent: The share of agreement a qualified majority needs.
        """

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            partnership = self._load(Partnership, decision.partnership_id)
            _check_claim(partnership, ctx)
            electorate = partnership.current_members(ctx.today)
            chosen = rule
            if decision.forum_kind is ForumKind.WORKING_GROUP:
                group = self._load(WorkingGroup, decision.forum_id)
                group.ensure_open()
                electorate = [org for org in electorate if org in group.members]
                chosen = rule if rule is not None else group.default_rule
            if chosen is None:
                raise InvalidInput(
                    "a decision of the partnership needs a rule: consensus, consent,"
                    " majority or qualified_majority"
                )
            decision.call_vote(
                ctx,
                rule=chosen,
                quorum_percent=quorum_percent,
                threshold_percent=threshold_percent,
                closes_at=closes_at,
                electorate=electorate,
            )
            return Outcome(decision)

        return self._run(
            ctx,
            "call_decision",
            handle,
            options,
            decision_id=decision_id,
            rule=rule,
            quorum_percent=quorum_percent,
            closes_at=closes_at,
            threshold_percent=threshold_percent,
        )

    def grant_proxy(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        proxy_person_id: UUID,
        proxy_member_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Let a current representative of another member act for the acting one, here only."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            partnership = self._load(Partnership, decision.partnership_id)
            member_id = partnership.ensure_acts_for(ctx)
            partnership.ensure_represents(proxy_person_id, proxy_member_id, ctx.today)
            decision.grant_proxy(
                ctx,
                member_id=member_id,
                proxy_person_id=proxy_person_id,
                proxy_member_id=proxy_member_id,
            )
            return Outcome(decision)

        return self._run(
            ctx,
            "grant_proxy",
            handle,
            options,
            decision_id=decision_id,
            proxy_person_id=proxy_person_id,
            proxy_member_id=proxy_member_id,
        )

    def take_position(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        position: str,
        reason: str | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """The acting organisation's position: agree, abstain, disagree (reason) or block (reason).

        The actor is a current representative of ``ctx.acting_for`` or holds its proxy.
        """

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            member_id, by_proxy = self._decision_voter(ctx, decision)
            decision.take_position(
                ctx, member_id=member_id, position=position, reason=reason, by_proxy=by_proxy
            )
            return Outcome(decision)

        return self._run(
            ctx,
            "take_position",
            handle,
            options,
            decision_id=decision_id,
            position=position,
            reason=reason,
        )

    def revise_position(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        position: str,
        reason: str | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Replace the acting organisation's position; the earlier one stays in the history."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            member_id, by_proxy = self._decision_voter(ctx, decision)
            decision.revise_position(
                ctx, member_id=member_id, position=position, reason=reason, by_proxy=by_proxy
            )
            return Outcome(decision)

        return self._run(
            ctx,
            "revise_position",
            handle,
            options,
            decision_id=decision_id,
            position=position,
            reason=reason,
        )

    def close_decision(
        self, ctx: Context, decision_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Seal the vote and record its tally; organisations withdrawn since lose their vote."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            partnership = self._load(Partnership, decision.partnership_id)
            _check_claim(partnership, ctx)
            decision.close(ctx, current_members=partnership.current_members(ctx.today))
            return Outcome(decision)

        return self._run(ctx, "close_decision", handle, options, decision_id=decision_id)

    def adopt_decision(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        outcome: str,
        effective_on: date,
        review_on: date | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Adopt a closed decision whose rule is met; it supersedes what the proposal said."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            _check_claim(self._load(Partnership, decision.partnership_id), ctx)
            decision.adopt(ctx, outcome=outcome, effective_on=effective_on, review_on=review_on)
            others: list[CoordinationAggregate] = []
            if decision.supersedes is not None:
                earlier = self._load(Decision, decision.supersedes)
                earlier.supersede(
                    ctx,
                    by=decision,
                    scope=SupersedeScope.FULL.value,
                    note="replaced by the adopted proposal that declared it supersedes this one",
                )
                others.append(earlier)
            return Outcome(decision, others=others)

        return self._run(
            ctx,
            "adopt_decision",
            handle,
            options,
            decision_id=decision_id,
            outcome=outcome,
            effective_on=effective_on,
            review_on=review_on,
        )

    def reject_decision(
        self, ctx: Context, decision_id: UUID, *, reason: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Reject a closed decision whose rule is not met."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            _check_claim(self._load(Partnership, decision.partnership_id), ctx)
            decision.reject(ctx, reason=reason)
            return Outcome(decision)

        return self._run(
            ctx, "reject_decision", handle, options, decision_id=decision_id, reason=reason
        )

    def withdraw_proposal(
        self, ctx: Context, decision_id: UUID, *, reason: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Withdraw the proposal before the decision is closed."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            self._decision_proposer_or_secretariat(ctx, decision, "withdraw")
            decision.withdraw(ctx, reason=reason)
            return Outcome(decision)

        return self._run(
            ctx, "withdraw_proposal", handle, options, decision_id=decision_id, reason=reason
        )

    def defer_decision(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        until: date,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Put the decision back on the table until a later date; a call in progress lapses."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            _check_claim(self._load(Partnership, decision.partnership_id), ctx)
            decision.defer(ctx, until=until, reason=reason)
            return Outcome(decision)

        return self._run(
            ctx,
            "defer_decision",
            handle,
            options,
            decision_id=decision_id,
            until=until,
            reason=reason,
        )

    def supersede_decision(
        self,
        ctx: Context,
        decision_id: UUID,
        *,
        by_decision_id: UUID,
        scope: str,
        note: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record that a later adopted decision replaces this one, in "full" or in "part"."""

        def handle() -> Outcome:
            decision = self._load(Decision, decision_id, options)
            _check_claim(self._load(Partnership, decision.partnership_id), ctx)
            later = self._load(Decision, by_decision_id)
            decision.supersede(ctx, by=later, scope=scope, note=note)
            return Outcome(decision)

        return self._run(
            ctx,
            "supersede_decision",
            handle,
            options,
            decision_id=decision_id,
            by_decision_id=by_decision_id,
            scope=scope,
            note=note,
        )

    def record_decision_from_minutes(
        self,
        ctx: Context,
        *,
        partnership_id: UUID,
        forum_kind: str,
        forum_id: UUID,
        workshop_id: UUID,
        title: str,
        text: str,
        outcome: str,
        effective_on: date,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record, as adopted, a decision taken at a meeting; it links the approved minutes."""

        def handle() -> Outcome:
            partnership = self._load(Partnership, partnership_id)
            _check_claim(partnership, ctx)
            kind = self._decision_forum(partnership, forum_kind, forum_id, None)
            workshop = self._load(Workshop, workshop_id)
            if workshop.partnership_id != partnership_id:
                raise NotFound(f"no workshop with id {workshop_id} in this partnership")
            if workshop.minutes_status != MinutesStatus.APPROVED or workshop.minutes_hash is None:
                raise RuleViolation(
                    "the workshop's minutes are not approved; a decision is recorded only"
                    " from approved minutes"
                )
            decision = Decision.record_from_minutes(
                ctx,
                partnership_id=partnership_id,
                forum_kind=kind,
                forum_id=forum_id,
                workshop_id=workshop_id,
                minutes_hash=workshop.minutes_hash,
                title=title,
                body=text,
                outcome=outcome,
                effective_on=effective_on,
            )
            return Outcome(decision, created_id=decision.id)

        return self._run(
            ctx,
            "record_decision_from_minutes",
            handle,
            options,
            partnership_id=partnership_id,
            forum_kind=forum_kind,
            forum_id=forum_id,
            workshop_id=workshop_id,
            title=title,
            text=text,
            outcome=outcome,
            effective_on=effective_on,
        )

    def decision(self, decision_id: UUID) -> Decision:
        """The decision's current state (for checks and for tests)."""
        return self._load(Decision, decision_id)

    # -- cross-stream checks (prefixed: every mixin shares one namespace) -------------

    def _decision_of(self, partnership: Partnership, decision_id: UUID) -> Decision:
        """Another decision of the same partnership, or NotFound."""
        decision = self._load(Decision, decision_id)
        if decision.partnership_id != partnership.id:
            raise NotFound(f"no decision with id {decision_id} in this partnership")
        return decision

    def _decision_forum(
        self, partnership: Partnership, forum_kind: str, forum_id: UUID, member_id: UUID | None
    ) -> ForumKind:
        """The checked forum: the partnership itself, or one of its open working groups.

        When `member_id` is given, it must be a member of the group.
        """
        kind = choice(forum_kind, ForumKind, "forum kind")
        if kind is ForumKind.PARTNERSHIP:
            if forum_id != partnership.id:
                raise InvalidInput("the forum of a partnership decision is the partnership itself")
            return kind
        group = self._load(WorkingGroup, forum_id)
        if group.partnership_id != partnership.id:
            raise NotFound(f"no working group with id {forum_id} in this partnership")
        group.ensure_open()
        if member_id is not None:
            group.ensure_member(member_id)
        return kind

    def _decision_proposer_or_secretariat(
        self, ctx: Context, decision: Decision, verb: str
    ) -> None:
        """Only the tabling organisation (or the secretariat) changes a proposal's fate."""
        partnership = self._load(Partnership, decision.partnership_id)
        if ctx.acting_for is None:
            return
        member_id = partnership.ensure_acts_for(ctx)
        if member_id != decision.proposer_id:
            raise Forbidden(
                f"only the organisation that tabled the proposal, or the secretariat, may {verb} it"
            )

    def _decision_voter(self, ctx: Context, decision: Decision) -> tuple[UUID, bool]:
        """The organisation a position is taken for, and whether a proxy holder takes it."""
        partnership = self._load(Partnership, decision.partnership_id)
        if ctx.acting_for is None:
            raise Forbidden("a position is taken on behalf of a member organisation")
        member_id = ctx.acting_for
        member = partnership.current_member(member_id, ctx.today)
        person = person_of(ctx)
        if partnership.represents(person, member_id, ctx.today):
            return member_id, False
        proxy = decision.proxy_for(member_id)
        if (
            proxy is not None
            and proxy.person_id == person
            and partnership.represents(person, proxy.member_id, ctx.today)
        ):
            return member_id, True
        raise Forbidden(
            f"person {person} is not a current representative of {member.name}"
            " and holds no valid proxy from it for this decision"
        )


def _check_claim(partnership: Partnership, ctx: Context) -> None:
    """A secretariat command needs no organisation, but a claimed one must be true."""
    if ctx.acting_for is not None:
        partnership.ensure_acts_for(ctx)
