"""Use cases of B3 before the vote: tabling, discussing, revising, withdrawing, deferring,
and decisions recorded from approved minutes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.decisions.checks import (
    check_claim,
    checked_forum,
    decision_in,
    ensure_proposer_or_secretariat,
    open_decision,
)
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.errors import NotFound, RuleViolation
from coordination.domain.partnership import Partnership
from coordination.domain.workshop import Workshop
from coordination.domain.workshop_parts import MinutesStatus


class ProposalUseCases(CommandRunner):
    """Proposals and their discussion."""

    def decision(self, decision_id: UUID) -> Decision:
        """The decision's current state (for checks and for tests)."""
        return self.load(Decision, decision_id)

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
            partnership = self.load(Partnership, partnership_id)
            member_id = partnership.ensure_acts_for(ctx)
            kind, group = checked_forum(self, partnership, forum_kind, forum_id, member_id)
            if supersedes is not None:
                earlier = decision_in(self, partnership, supersedes)
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
            if group is None:
                return Outcome(decision, created_id=decision.id)
            group.receive_proposal(ctx, decision_id=decision.id)
            return Outcome(decision, created_id=decision.id, others=[group])

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
            decision = open_decision(self, decision_id, options)
            partnership = self.load(Partnership, decision.partnership_id)
            member_id = partnership.ensure_acts_for(ctx)
            checked_forum(self, partnership, decision.forum_kind, decision.forum_id, member_id)
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
            decision = open_decision(self, decision_id, options)
            ensure_proposer_or_secretariat(self, ctx, decision, "revise")
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

    def withdraw_proposal(
        self, ctx: Context, decision_id: UUID, *, reason: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Withdraw the proposal before the decision is closed."""

        def handle() -> Outcome:
            decision = open_decision(self, decision_id, options)
            ensure_proposer_or_secretariat(self, ctx, decision, "withdraw")
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
            decision = open_decision(self, decision_id, options)
            check_claim(self.load(Partnership, decision.partnership_id), ctx)
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
            partnership = self.load(Partnership, partnership_id)
            check_claim(partnership, ctx)
            kind, _ = checked_forum(self, partnership, forum_kind, forum_id, None)
            workshop = self.load(Workshop, workshop_id)
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
