"""Use cases of B2: the actions of working groups, decisions and workshops.

An action knows nothing of the partnership's members or of its group's state, so each
use case loads those to check first: the owner is a current member (and a member of the
open group it is assigned in), and a closed group's actions accept nothing more.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.application.working_groups import open_group_in
from coordination.domain.action import Action
from coordination.domain.context import Context
from coordination.domain.errors import NotFound
from coordination.domain.partnership import Partnership
from coordination.domain.values import ActionSource
from coordination.domain.working_group import WorkingGroup


class ActionUseCases(CommandRunner):
    """Commands of B2 on actions: assigning them, reporting progress, closing them."""

    def assign_action(
        self,
        ctx: Context,
        *,
        partnership_id: UUID,
        group_id: UUID | None,
        owner_id: UUID,
        description: str,
        due_on: date,
        source_kind: str = ActionSource.GROUP.value,
        source_id: UUID | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Assign an action to a member organisation, in a group or from a decision or workshop.

        The owner must be a current member of the partnership and, when a group is named,
        of that open group; a decision or workshop named as source must exist.
        """

        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id)
            partnership.current_member(owner_id, ctx.today)
            if group_id is not None:
                open_group_in(self, partnership_id, group_id).ensure_member(owner_id)
            action = Action.assign(
                ctx,
                partnership_id=partnership_id,
                group_id=group_id,
                owner_id=owner_id,
                description=description,
                due_on=due_on,
                source_kind=source_kind,
                source_id=source_id,
            )
            if action.source_id is not None and action.source_kind != ActionSource.GROUP:
                self._ensure_exists(action.source_id, action.source_kind)
            return Outcome(action, created_id=action.id)

        return self._run(
            ctx,
            "assign_action",
            handle,
            options,
            partnership_id=partnership_id,
            group_id=group_id,
            owner_id=owner_id,
            description=description,
            due_on=due_on,
            source_kind=source_kind,
            source_id=source_id,
        )

    def report_progress(
        self,
        ctx: Context,
        action_id: UUID,
        *,
        percent: int,
        note: str | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Report how far an open action has come, as a whole percentage."""

        def handle() -> Outcome:
            action = self._open_action(action_id, options)
            action.report_progress(ctx, percent=percent, note=note)
            return Outcome(action)

        return self._run(
            ctx, "report_progress", handle, options, action_id=action_id, percent=percent, note=note
        )

    def complete_action(
        self, ctx: Context, action_id: UUID, *, outcome: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Close an action for good with its outcome."""

        def handle() -> Outcome:
            action = self._open_action(action_id, options)
            action.complete(ctx, outcome=outcome)
            return Outcome(action)

        return self._run(
            ctx, "complete_action", handle, options, action_id=action_id, outcome=outcome
        )

    def drop_action(
        self, ctx: Context, action_id: UUID, *, reason: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Close an action for good without doing it, saying why."""

        def handle() -> Outcome:
            action = self._open_action(action_id, options)
            action.drop(ctx, reason=reason)
            return Outcome(action)

        return self._run(ctx, "drop_action", handle, options, action_id=action_id, reason=reason)

    def action(self, action_id: UUID) -> Action:
        """The action's current state (for checks and for tests)."""
        return self.load(Action, action_id)

    def _open_action(self, action_id: UUID, options: CommandOptions) -> Action:
        """The action, refused when its group is closed (a closed group accepts nothing)."""
        action = self.load(Action, action_id, options)
        if action.group_id is not None:
            self.load(WorkingGroup, action.group_id).ensure_open()
        return action

    def _ensure_exists(self, stream_id: UUID, kind: str) -> None:
        # Decisions and workshops are other use cases' business: an action only needs its
        # source to be a stream of that kind, whatever the source's state.
        source: Aggregate | None
        try:
            source = self.repository.get(stream_id)
        except AggregateNotFoundError:
            source = None
        if getattr(type(source), "KIND", None) != kind:
            raise NotFound(f"no {kind} with id {stream_id}")
