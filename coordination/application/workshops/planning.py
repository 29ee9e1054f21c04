"""Use cases of B4 before a workshop: planning, agenda, invitations, registrations,
postponing and cancelling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.application.working_groups import open_group_in
from coordination.domain.context import Context
from coordination.domain.partnership import Partnership
from coordination.domain.workshop import Workshop
from coordination.domain.workshop_parts import InviteeKind


class WorkshopPlanningUseCases(CommandRunner):
    """From the plan to the day."""

    def workshop(self, workshop_id: UUID) -> Workshop:
        """The workshop's current state (for checks, other use cases and tests)."""
        return self.load(Workshop, workshop_id)

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
        records_past: bool = False,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Plan a workshop on an active theme, organised by open groups and/or partners.

        Its start is still to come, unless `records_past` says the plan records a workshop
        that already took place (its start has passed). Returns the new workshop's id as
        `created_id`.
        """

        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id)
            partnership.active_theme(theme_id)
            for group_id in dict.fromkeys(organiser_group_ids):
                open_group_in(self, partnership_id, group_id)
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
                records_past=records_past,
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
            records_past=records_past,
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
            workshop = self.load(Workshop, workshop_id, options)
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
            workshop = self.load(Workshop, workshop_id, options)
            if invitee_kind == InviteeKind.ORGANISATION:
                partnership = self.load(Partnership, workshop.partnership_id)
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
            workshop = self.load(Workshop, workshop_id, options)
            partnership = self.load(Partnership, workshop.partnership_id)
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
            workshop = self.load(Workshop, workshop_id, options)
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
            workshop = self.load(Workshop, workshop_id, options)
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
            workshop = self.load(Workshop, workshop_id, options)
            workshop.cancel(ctx, reason=reason)
            return Outcome(workshop)

        return self._run(
            ctx, "cancel_workshop", handle, options, workshop_id=workshop_id, reason=reason
        )
