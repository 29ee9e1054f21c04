"""What every use case of a social-accounting cycle shares: loading the cycle, checking
for whom the step is taken, and running it in the unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from coordination.application.commands import CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.context import Context
from coordination.domain.errors import Forbidden
from coordination.domain.partnership import Partnership

#: Namespace of cycles' stream ids (uuid5 of the organisation and the period's first day).
CYCLE_NAMESPACE = UUID("0b6f3f0e-95a1-5c1e-8f2d-7a43c1d0e6a2")

#: A step of a cycle: the aggregate's command, called with the cycle, the context and the input.
Step = Callable[..., UUID | None]


def cycle_id(organisation_id: UUID, period_start: date) -> UUID:
    """The stream id of an organisation's cycle for the period that starts on that day."""
    return uuid5(CYCLE_NAMESPACE, f"{organisation_id}:{period_start.isoformat()}")


class CycleSteps(CommandRunner):
    """The base of B6's use cases: one step on one cycle."""

    def accounting_cycle(self, cycle_id: UUID) -> AccountingCycle:
        """The cycle's current state (for checks and for tests)."""
        return self.load(AccountingCycle, cycle_id)

    def _cycle_step(
        self,
        ctx: Context,
        command: str,
        cycle_id: UUID,
        options: CommandOptions,
        step: Step,
        **arguments: Any,
    ) -> CommandResult:
        """Run one step, `step(cycle, ctx, **arguments)`, on the cycle, taken for its own
        organisation or by the secretariat; `created_id` is what the step returns."""

        def handle() -> Outcome:
            cycle = self.load(AccountingCycle, cycle_id, options)
            if ctx.acting_for is not None:
                for_organisation(
                    self.load(Partnership, cycle.partnership_id), ctx, cycle.organisation_id
                )
            return Outcome(cycle, created_id=step(cycle, ctx, **arguments))

        return self._run(ctx, command, handle, options, cycle_id=cycle_id, **arguments)

    def _cycle_exists(self, stream_id: UUID) -> bool:
        try:
            self.repository.get(stream_id)
        except AggregateNotFoundError:
            return False
        return True


def for_organisation(partnership: Partnership, ctx: Context, organisation_id: UUID) -> None:
    """A step taken for an organisation is taken for the cycle's own, by its representative."""
    if ctx.acting_for is None:
        return
    partnership.ensure_acts_for(ctx)
    if ctx.acting_for != organisation_id:
        raise Forbidden(
            f"organisation {ctx.acting_for} acts only for its own social-accounting cycle"
        )
