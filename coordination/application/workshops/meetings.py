"""Use cases of B4 from the day on: holding, attendance, minutes and follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.application.working_groups import open_group_in
from coordination.domain.action import Action
from coordination.domain.context import Context
from coordination.domain.partnership import Partnership
from coordination.domain.values import ActionSource
from coordination.domain.workshop import Workshop
from coordination.domain.workshop_parts import checked_attendees


class MeetingUseCases(CommandRunner):
    """The meeting and what comes of it."""

    def hold_workshop(
        self, ctx: Context, workshop_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Record that the workshop took place: once, and only once it has started."""

        def handle() -> Outcome:
            workshop = self.load(Workshop, workshop_id, options)
            workshop.hold(ctx)
            return Outcome(workshop)

        return self._run(ctx, "hold_workshop", handle, options, workshop_id=workshop_id)

    def record_attendance(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        attendees: Sequence[tuple[UUID, UUID]],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record who attended a held workshop, as (person id, organisation id) pairs.

        Each organisation must have been a member of the partnership on the workshop's day.
        """

        def handle() -> Outcome:
            workshop = self.load(Workshop, workshop_id, options)
            workshop.ensure_held("record its attendance")
            partnership = self.load(Partnership, workshop.partnership_id)
            day = workshop.starts_at.astimezone(UTC).date()
            for entry in checked_attendees(attendees):
                partnership.current_member(entry["organisation_id"], day)
            workshop.record_attendance(ctx, entries=attendees)
            return Outcome(workshop)

        return self._run(
            ctx,
            "record_attendance",
            handle,
            options,
            workshop_id=workshop_id,
            attendees=[list(entry) for entry in attendees],
        )

    def draft_minutes(
        self, ctx: Context, workshop_id: UUID, *, text: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Write the first draft of the minutes of a held workshop."""

        def handle() -> Outcome:
            workshop = self.load(Workshop, workshop_id, options)
            workshop.draft_minutes(ctx, text=text)
            return Outcome(workshop)

        return self._run(ctx, "draft_minutes", handle, options, workshop_id=workshop_id, text=text)

    def amend_minutes(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        text: str,
        note: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Change draft minutes, saying why; approved minutes are sealed."""

        def handle() -> Outcome:
            workshop = self.load(Workshop, workshop_id, options)
            workshop.amend_minutes(ctx, text=text, note=note)
            return Outcome(workshop)

        return self._run(
            ctx, "amend_minutes", handle, options, workshop_id=workshop_id, text=text, note=note
        )

    def approve_minutes(
        self, ctx: Context, workshop_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Approve the draft minutes: they are sealed and the hash of their text recorded."""

        def handle() -> Outcome:
            workshop = self.load(Workshop, workshop_id, options)
            workshop.approve_minutes(ctx)
            return Outcome(workshop)

        return self._run(ctx, "approve_minutes", handle, options, workshop_id=workshop_id)

    def raise_follow_up(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        description: str,
        owner_id: UUID,
        group_id: UUID | None,
        due_on: date,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Turn a follow-up of a held workshop into an action of a group or organisation.

        The owner must be a current member of the partnership and, when a group is named,
        of that open group of the same partnership. The workshop's FollowUpRaised and the
        new action are saved together; returns the action's id as `created_id`.
        """

        def handle() -> Outcome:
            workshop = self.load(Workshop, workshop_id, options)
            workshop.ensure_held("raise a follow-up")
            partnership = self.load(Partnership, workshop.partnership_id)
            partnership.current_member(owner_id, ctx.today)
            if group_id is not None:
                open_group_in(self, workshop.partnership_id, group_id).ensure_member(owner_id)
            action = Action.assign(
                ctx,
                partnership_id=workshop.partnership_id,
                group_id=group_id,
                owner_id=owner_id,
                description=description,
                due_on=due_on,
                source_kind=ActionSource.WORKSHOP.value,
                source_id=workshop_id,
            )
            workshop.raise_follow_up(
                ctx,
                action_id=action.id,
                description=description,
                owner_id=owner_id,
                group_id=group_id,
                due_on=due_on,
            )
            return Outcome(workshop, created_id=action.id, others=[action])

        return self._run(
            ctx,
            "raise_follow_up",
            handle,
            options,
            workshop_id=workshop_id,
            description=description,
            owner_id=owner_id,
            group_id=group_id,
            due_on=due_on,
        )
