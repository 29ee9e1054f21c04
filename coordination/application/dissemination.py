"""Use cases of B9: dissemination activities, their uptake and policy influence.

Every organisation named (the one responsible, the one taking up a practice, the one
changing a policy) must be a current member of the partnership; an activity is planned
and recorded for the responsible organisation itself, by its representative, or by the
secretariat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.dissemination import Dissemination
from coordination.domain.errors import Forbidden
from coordination.domain.partnership import Partnership


class DisseminationUseCases(CommandRunner):
    """Commands of B9."""

    def plan_dissemination(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        responsible_id: UUID,
        title: str,
        channel: str,
        planned_on: date,
        audience_description: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Plan an activity that a member organisation is responsible for."""

        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id)
            partnership.current_member(responsible_id, ctx.today)
            _for_responsible(partnership, ctx, responsible_id)
            activity = Dissemination.plan(
                ctx,
                partnership_id=partnership_id,
                responsible_id=responsible_id,
                title=title,
                channel=channel,
                planned_on=planned_on,
                audience_description=audience_description,
            )
            return Outcome(activity, created_id=activity.id)

        return self._run(
            ctx,
            "plan_dissemination",
            handle,
            options,
            partnership_id=partnership_id,
            responsible_id=responsible_id,
            title=title,
            channel=channel,
            planned_on=planned_on,
            audience_description=audience_description,
        )

    def record_dissemination(
        self,
        ctx: Context,
        dissemination_id: UUID,
        *,
        held_on: date,
        reach: int,
        evidence_hash: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record that the activity was held: when, whom it reached, the evidence."""
        return self._dissemination_step(
            ctx,
            "record_dissemination",
            dissemination_id,
            options,
            None,
            Dissemination.record_held,
            held_on=held_on,
            reach=reach,
            evidence_hash=evidence_hash,
        )

    def record_uptake(
        self,
        ctx: Context,
        dissemination_id: UUID,
        *,
        organisation_id: UUID,
        practice: str,
        adopted_on: date,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """A member organisation took up a practice the activity passed on."""
        return self._dissemination_step(
            ctx,
            "record_uptake",
            dissemination_id,
            options,
            organisation_id,
            Dissemination.record_uptake,
            organisation_id=organisation_id,
            practice=practice,
            adopted_on=adopted_on,
        )

    def record_policy_influence(
        self,
        ctx: Context,
        dissemination_id: UUID,
        *,
        organisation_id: UUID,
        change: str,
        decided_on: date,
        evidence_hash: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """A member organisation changed a policy because of the activity."""
        return self._dissemination_step(
            ctx,
            "record_policy_influence",
            dissemination_id,
            options,
            organisation_id,
            Dissemination.record_policy_influence,
            organisation_id=organisation_id,
            change=change,
            decided_on=decided_on,
            evidence_hash=evidence_hash,
        )

    def dissemination(self, dissemination_id: UUID) -> Dissemination:
        """The activity's current state (for checks and for tests)."""
        return self.load(Dissemination, dissemination_id)

    def _dissemination_step(
        self,
        ctx: Context,
        command: str,
        dissemination_id: UUID,
        options: CommandOptions,
        member_id: UUID | None,
        step: Callable[..., UUID | None],
        **arguments: Any,
    ) -> CommandResult:
        """Run `step(activity, ctx, **arguments)`, `member_id` (if any) being a current
        member, for the responsible organisation or the member itself."""

        def handle() -> Outcome:
            activity = self.load(Dissemination, dissemination_id, options)
            partnership = self.load(Partnership, activity.partnership_id)
            if member_id is not None:
                partnership.current_member(member_id, ctx.today)
            _for_responsible(partnership, ctx, activity.responsible_id, member_id)
            return Outcome(activity, created_id=step(activity, ctx, **arguments))

        return self._run(
            ctx, command, handle, options, dissemination_id=dissemination_id, **arguments
        )


def _for_responsible(
    partnership: Partnership, ctx: Context, responsible_id: UUID, member_id: UUID | None = None
) -> None:
    """Done for an organisation, it is done for the responsible one (or the member named)."""
    if ctx.acting_for is None:
        return
    partnership.ensure_acts_for(ctx)
    if ctx.acting_for not in (responsible_id, member_id):
        raise Forbidden(
            f"organisation {ctx.acting_for} is neither responsible for the activity nor the"
            " organisation it records"
        )
