"""Use cases of B2: working groups (their actions are in `actions`).

The group stream knows nothing of the partnership's members, mandates or themes, so each
use case loads the partnership to check those rules first. Only the streams a command
changes are saved; the partnership is read, never written, here. Closing a group also
withdraws the proposals still open in it, in the same save. `open_group_in` is what the
action and workshop use cases ask of a group they name.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.errors import RuleViolation
from coordination.domain.partnership import Partnership
from coordination.domain.working_group import WorkingGroup


class WorkingGroupUseCases(CommandRunner):
    """Commands of B2 on working groups."""

    def convene_working_group(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        theme_id: UUID,
        name: str,
        purpose: str,
        decides: str,
        default_rule: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Convene a working group on an active theme of the partnership, with its charter."""

        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id)
            partnership.active_theme(theme_id)
            group = WorkingGroup.convene(
                ctx,
                partnership_id=partnership_id,
                theme_id=theme_id,
                name=name,
                purpose=purpose,
                decides=decides,
                default_rule=default_rule,
            )
            return Outcome(group, created_id=group.id)

        return self._run(
            ctx,
            "convene_working_group",
            handle,
            options,
            partnership_id=partnership_id,
            theme_id=theme_id,
            name=name,
            purpose=purpose,
            decides=decides,
            default_rule=default_rule,
        )

    def join_working_group(
        self, ctx: Context, group_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """The organisation the actor represents (``ctx.acting_for``) joins the group."""

        def handle() -> Outcome:
            group = self.load(WorkingGroup, group_id, options)
            member_id = self.load(Partnership, group.partnership_id).ensure_acts_for(ctx)
            group.join(ctx, member_id=member_id)
            return Outcome(group)

        return self._run(ctx, "join_working_group", handle, options, group_id=group_id)

    def leave_working_group(
        self, ctx: Context, group_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """The organisation the actor represents leaves the group (and its convenor role)."""

        def handle() -> Outcome:
            group = self.load(WorkingGroup, group_id, options)
            member_id = self.load(Partnership, group.partnership_id).ensure_acts_for(ctx)
            group.leave(ctx, member_id=member_id)
            return Outcome(group)

        return self._run(ctx, "leave_working_group", handle, options, group_id=group_id)

    def appoint_convenor(
        self,
        ctx: Context,
        group_id: UUID,
        *,
        person_id: UUID,
        member_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Appoint a current representative of a member organisation of the group as convenor."""

        def handle() -> Outcome:
            group = self.load(WorkingGroup, group_id, options)
            group.ensure_open()
            group.ensure_member(member_id)
            partnership = self.load(Partnership, group.partnership_id)
            member = partnership.current_member(member_id, ctx.today)
            if not partnership.represents(person_id, member_id, ctx.today):
                raise RuleViolation(
                    f"person {person_id} is not a current representative of {member.name},"
                    " so cannot convene the group for it"
                )
            group.appoint_convenor(ctx, person_id=person_id, member_id=member_id)
            return Outcome(group)

        return self._run(
            ctx,
            "appoint_convenor",
            handle,
            options,
            group_id=group_id,
            person_id=person_id,
            member_id=member_id,
        )

    def revise_charter(
        self,
        ctx: Context,
        group_id: UUID,
        *,
        purpose: str,
        decides: str,
        default_rule: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Replace the group's charter: purpose, what is decided here and the default rule."""

        def handle() -> Outcome:
            group = self.load(WorkingGroup, group_id, options)
            group.revise_charter(ctx, purpose=purpose, decides=decides, default_rule=default_rule)
            return Outcome(group)

        return self._run(
            ctx,
            "revise_charter",
            handle,
            options,
            group_id=group_id,
            purpose=purpose,
            decides=decides,
            default_rule=default_rule,
        )

    def close_working_group(
        self, ctx: Context, group_id: UUID, *, reason: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Close the group for good, saying why; its open proposals are withdrawn with it.

        Refused while a decision of the group is closed but neither adopted nor rejected.
        """

        def handle() -> Outcome:
            group = self.load(WorkingGroup, group_id, options)
            group.ensure_open()
            withdrawn: list[CoordinationAggregate] = []
            for decision_id in group.proposals:
                decision = self.load(Decision, decision_id)
                if decision.withdraw_with_group(ctx):
                    withdrawn.append(decision)
            group.close(ctx, reason=reason)
            return Outcome(group, others=withdrawn)

        return self._run(
            ctx, "close_working_group", handle, options, group_id=group_id, reason=reason
        )

    def working_group(self, group_id: UUID) -> WorkingGroup:
        """The working group's current state (for checks and for tests)."""
        return self.load(WorkingGroup, group_id)


def open_group_in(runner: CommandRunner, partnership_id: UUID, group_id: UUID) -> WorkingGroup:
    """An open working group of the partnership, or a refusal saying why not."""
    group = runner.load(WorkingGroup, group_id)
    if group.partnership_id != partnership_id:
        raise RuleViolation(f"the working group '{group.name}' belongs to another partnership")
    group.ensure_open()
    return group
