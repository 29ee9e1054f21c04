"""Use cases of B4: workshops and meetings.

The workshop stream knows nothing of the partnership's themes and members or of the
working groups, so each use case loads those to check its cross-stream rules first, and
only then runs the workshop's command. A follow-up is the one use case that writes two
streams: the workshop's FollowUpRaised and the new action are saved in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from coordination.application.service import (
    NO_OPTIONS,
    CommandOptions,
    CommandResult,
    Outcome,
    Service,
)
from coordination.domain.action import Action
from coordination.domain.context import Context
from coordination.domain.errors import RuleViolation
from coordination.domain.partnership import Partnership
from coordination.domain.values import ActionSource
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop
from coordination.domain.workshop_parts import InviteeKind, checked_attendees


class WorkshopCommands(Service):
    """Commands of B4: workshops and meetings."""

    def plan_workshop(
        self,
        ctx: Context,
        *,
        partnership_id: UUID,
        organiser_group_ids: Sequence[UUID],
        organiser_partners: Sequence[str],
        theme_id: UUID,
        title: str,
        format: str,
        venue: str | None,
        capacity: int,
        starts_at: datetime,
        ends_at: datetime,
        audience_description: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Plan a workshop on an active theme, organised by open groups and/or partners.

        Returns the new workshop's id as `created_id`.
        """

        def handle() -> Outcome:
            partnership = self._load(Partnership, partnership_id)
            partnership.active_theme(theme_id)
            for group_id in dict.fromkeys(organiser_group_ids):
                self._group_of(partnership_id, group_id)
            workshop = Workshop.plan(
                ctx,
                partnership_id=partnership_id,
                organiser_group_ids=organiser_group_ids,
                organiser_partners=organiser_partners,
                theme_id=theme_id,
                title=title,
                format=format,
                venue=venue,
                capacity=capacity,
                starts_at=starts_at,
                ends_at=ends_at,
                audience_description=audience_description,
            )
            return Outcome(workshop, created_id=workshop.id)

        return self._run(
            ctx,
            "plan_workshop",
            handle,
            options,
            partnership_id=partnership_id,
            organiser_group_ids=list(organiser_group_ids),
            organiser_partners=list(organiser_partners),
            theme_id=theme_id,
            title=title,
            format=format,
            venue=venue,
            capacity=capacity,
            starts_at=starts_at,
            ends_at=ends_at,
            audience_description=audience_description,
        )

    def set_agenda(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        items: Sequence[str],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Replace the agenda of a workshop still to come."""

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
            workshop.set_agenda(ctx, items=items)
            return Outcome(workshop)

        return self._run(
            ctx, "set_agenda", handle, options, workshop_id=workshop_id, items=list(items)
        )

    def invite(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        invitee_kind: str,
        invitee_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Invite a member organisation or a (pseudonymous) person, once each."""

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
            if invitee_kind == InviteeKind.ORGANISATION:
                partnership = self._load(Partnership, workshop.partnership_id)
                partnership.current_member(invitee_id, ctx.today)
            workshop.invite(ctx, invitee_kind=invitee_kind, invitee_id=invitee_id)
            return Outcome(workshop)

        return self._run(
            ctx,
            "invite",
            handle,
            options,
            workshop_id=workshop_id,
            invitee_kind=invitee_kind,
            invitee_id=invitee_id,
        )

    def register(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        person_id: UUID,
        organisation_id: UUID,
        role: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Register a person for a current member organisation while places remain.

        Returns the registration's id as `created_id`.
        """

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
            partnership = self._load(Partnership, workshop.partnership_id)
            partnership.current_member(organisation_id, ctx.today)
            registration_id = workshop.register(
                ctx, person_id=person_id, organisation_id=organisation_id, role=role
            )
            return Outcome(workshop, created_id=registration_id)

        return self._run(
            ctx,
            "register",
            handle,
            options,
            workshop_id=workshop_id,
            person_id=person_id,
            organisation_id=organisation_id,
            role=role,
        )

    def cancel_registration(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        registration_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Cancel an active registration, freeing its place."""

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
            workshop.cancel_registration(ctx, registration_id=registration_id)
            return Outcome(workshop)

        return self._run(
            ctx,
            "cancel_registration",
            handle,
            options,
            workshop_id=workshop_id,
            registration_id=registration_id,
        )

    def postpone_workshop(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        starts_at: datetime,
        ends_at: datetime,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Move a workshop still to come to a later start."""

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
            workshop.postpone(ctx, starts_at=starts_at, ends_at=ends_at, reason=reason)
            return Outcome(workshop)

        return self._run(
            ctx,
            "postpone_workshop",
            handle,
            options,
            workshop_id=workshop_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
        )

    def cancel_workshop(
        self,
        ctx: Context,
        workshop_id: UUID,
        *,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Call off a workshop that has not been held."""

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
            workshop.cancel(ctx, reason=reason)
            return Outcome(workshop)

        return self._run(
            ctx, "cancel_workshop", handle, options, workshop_id=workshop_id, reason=reason
        )

    def hold_workshop(
        self, ctx: Context, workshop_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Record that the workshop took place: once, on or after its start."""

        def handle() -> Outcome:
            workshop = self._load(Workshop, workshop_id, options)
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
            workshop = self._load(Workshop, workshop_id, options)
            workshop.ensure_held("record its attendance")
            partnership = self._load(Partnership, workshop.partnership_id)
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
            workshop = self._load(Workshop, workshop_id, options)
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
            workshop = self._load(Workshop, workshop_id, options)
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
            workshop = self._load(Workshop, workshop_id, options)
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
            workshop = self._load(Workshop, workshop_id, options)
            workshop.ensure_held("raise a follow-up")
            partnership = self._load(Partnership, workshop.partnership_id)
            partnership.current_member(owner_id, ctx.today)
            if group_id is not None:
                self._group_of(workshop.partnership_id, group_id).ensure_member(owner_id)
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

    def workshop(self, workshop_id: UUID) -> Workshop:
        """The workshop's current state (for checks, other use cases and tests)."""
        return self._load(Workshop, workshop_id)

    def _group_of(self, partnership_id: UUID, group_id: UUID) -> WorkingGroup:
        """An open working group of the partnership, or a refusal saying why not."""
        group = self._load(WorkingGroup, group_id)
        if group.partnership_id != partnership_id:
            raise RuleViolation(f"the working group '{group.name}' belongs to another partnership")
        group.ensure_open()
        return group
