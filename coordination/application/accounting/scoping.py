"""Use cases of B6 that scope a cycle: starting it, its purpose and objectives, the
stakeholder groups, indicators and their values, consultations and materiality.

The cycle knows nothing of the partnership, so starting one checks there that the
organisation is a current member, that it has no cycle for that period yet (a cycle's
stream id is derived from the organisation and the period's first day) and that the
previous cycle it follows is the same organisation's, closed and over before this one
starts. Steps taken for an organisation (not by the secretariat) must be taken for the
cycle's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from coordination.application.accounting.steps import CycleSteps, cycle_id, for_organisation
from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.context import Context
from coordination.domain.errors import RuleViolation
from coordination.domain.partnership import Partnership


class CycleScopingUseCases(CycleSteps):
    """Commands of B6 up to materiality."""

    def start_cycle(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        organisation_id: UUID,
        period_start: date,
        period_end: date,
        previous_cycle_id: UUID | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Start a member organisation's cycle for a period, after its previous one."""

        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id)
            member = partnership.current_member(organisation_id, ctx.today)
            for_organisation(partnership, ctx, organisation_id)
            new_id = cycle_id(organisation_id, period_start)
            if self._cycle_exists(new_id):
                raise RuleViolation(
                    f"{member.name} already has a social-accounting cycle for the period"
                    f" starting {period_start.isoformat()}"
                )
            if previous_cycle_id is not None:
                previous = self.load(AccountingCycle, previous_cycle_id)
                if previous.organisation_id != organisation_id:
                    raise RuleViolation("the previous cycle is another organisation's")
                if not previous.closed:
                    raise RuleViolation(
                        "the previous cycle has no action plan yet: adopt it first, it feeds"
                        " the next cycle"
                    )
                if previous.period_end >= period_start:
                    raise RuleViolation(
                        f"the period must start after the previous cycle's, which ends"
                        f" {previous.period_end.isoformat()}"
                    )
            cycle = AccountingCycle.start_cycle(
                ctx,
                id=new_id,
                partnership_id=partnership_id,
                organisation_id=organisation_id,
                period_start=period_start,
                period_end=period_end,
                previous_cycle_id=previous_cycle_id,
            )
            return Outcome(cycle, created_id=cycle.id)

        return self._run(
            ctx,
            "start_cycle",
            handle,
            options,
            partnership_id=partnership_id,
            organisation_id=organisation_id,
            period_start=period_start,
            period_end=period_end,
            previous_cycle_id=previous_cycle_id,
        )

    def state_purpose(
        self, ctx: Context, cycle_id: UUID, *, purpose: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """State what the cycle's accounts are for."""
        return self._cycle_step(
            ctx, "state_purpose", cycle_id, options, AccountingCycle.state_purpose, purpose=purpose
        )

    def state_objective(
        self, ctx: Context, cycle_id: UUID, *, objective: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Add an objective; `created_id` is its id."""
        return self._cycle_step(
            ctx,
            "state_objective",
            cycle_id,
            options,
            AccountingCycle.state_objective,
            objective=objective,
        )

    def improve_objective(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        objective_id: UUID,
        objective: str,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Reword an objective, saying why."""
        return self._cycle_step(
            ctx,
            "improve_objective",
            cycle_id,
            options,
            AccountingCycle.improve_objective,
            objective_id=objective_id,
            objective=objective,
            reason=reason,
        )

    def map_stakeholder_group(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        name: str,
        interest: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Name a stakeholder group; `created_id` is its id."""
        return self._cycle_step(
            ctx,
            "map_stakeholder_group",
            cycle_id,
            options,
            AccountingCycle.map_stakeholder_group,
            name=name,
            interest=interest,
        )

    def define_indicator(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        objective_id: UUID,
        name: str,
        unit: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Define an indicator of an objective; `created_id` is its id."""
        return self._cycle_step(
            ctx,
            "define_indicator",
            cycle_id,
            options,
            AccountingCycle.define_indicator,
            objective_id=objective_id,
            name=name,
            unit=unit,
        )

    def record_indicator_value(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        indicator_id: UUID,
        value: str,
        source: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record an indicator's value for the period, and where it comes from."""
        return self._cycle_step(
            ctx,
            "record_indicator_value",
            cycle_id,
            options,
            AccountingCycle.record_indicator_value,
            indicator_id=indicator_id,
            value=value,
            source=source,
        )

    def record_consultation(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        stakeholder_group_ids: Sequence[UUID],
        method: str,
        held_on: date,
        summary: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record a consultation of stakeholder groups; `created_id` is its id."""
        return self._cycle_step(
            ctx,
            "record_consultation",
            cycle_id,
            options,
            AccountingCycle.record_consultation,
            stakeholder_group_ids=list(stakeholder_group_ids),
            method=method,
            held_on=held_on,
            summary=summary,
        )

    def determine_materiality(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        material_indicator_ids: Sequence[UUID],
        rationale: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Name the material indicators; the cycle's scope is fixed from now on."""
        return self._cycle_step(
            ctx,
            "determine_materiality",
            cycle_id,
            options,
            AccountingCycle.determine_materiality,
            material_indicator_ids=list(material_indicator_ids),
            rationale=rationale,
        )
