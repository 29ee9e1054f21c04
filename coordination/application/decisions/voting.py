"""Use cases of B3 from the call to the outcome: calling, proxies, positions, closing,
adopting, rejecting and superseding."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.decisions.checks import check_claim, open_decision, voter
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.decision_rules import DEFAULT_THRESHOLD, ForumKind, SupersedeScope
from coordination.domain.errors import InvalidInput
from coordination.domain.partnership import Partnership
from coordination.domain.working_group import WorkingGroup


class VotingUseCases(CommandRunner):
    """The vote and its outcome."""

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
            decision = open_decision(self, decision_id, options)
            partnership = self.load(Partnership, decision.partnership_id)
            check_claim(partnership, ctx)
            electorate = partnership.current_members(ctx.today)
            chosen = rule
            if decision.forum_kind is ForumKind.WORKING_GROUP:
                group = self.load(WorkingGroup, decision.forum_id)
                electorate = [org for org in electorate if org in group.members]
                chosen = rule if rule is not None else group.default_rule
            if chosen is None:
                raise InvalidInput(
                    "is required for a decision of the partnership, which has no charter"
                    " rule to fall back on",
                    field="rule",
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
            decision = open_decision(self, decision_id, options)
            partnership = self.load(Partnership, decision.partnership_id)
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
            decision = open_decision(self, decision_id, options)
            member_id, by_proxy = voter(self, ctx, decision)
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
            decision = open_decision(self, decision_id, options)
            member_id, by_proxy = voter(self, ctx, decision)
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
            decision = open_decision(self, decision_id, options)
            partnership = self.load(Partnership, decision.partnership_id)
            check_claim(partnership, ctx)
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
            decision = open_decision(self, decision_id, options)
            check_claim(self.load(Partnership, decision.partnership_id), ctx)
            decision.adopt(ctx, outcome=outcome, effective_on=effective_on, review_on=review_on)
            others: list[CoordinationAggregate] = []
            if decision.supersedes is not None:
                earlier = self.load(Decision, decision.supersedes)
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
            decision = open_decision(self, decision_id, options)
            check_claim(self.load(Partnership, decision.partnership_id), ctx)
            decision.reject(ctx, reason=reason)
            return Outcome(decision)

        return self._run(
            ctx, "reject_decision", handle, options, decision_id=decision_id, reason=reason
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
            # Not `open_decision`: superseding is the later decision's forum acting, so a
            # closed working group's decision stays replaceable (decision 23).
            decision = self.load(Decision, decision_id, options)
            check_claim(self.load(Partnership, decision.partnership_id), ctx)
            later = self.load(Decision, by_decision_id)
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
