"""B2. An action: something a member organisation agreed to do, by a date.

Actions come from a working group, a decision or a workshop's follow-up, and are owned
by an organisation, never a person, so they survive a change of representative. A
completed or dropped action is closed for good: the tracker and the programme's audit
trail can rely on an outcome never changing afterwards.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.values import (
    TEXT_MAX,
    ActionSource,
    Audience,
    choice,
    forum_audience,
    optional_text,
    text,
)
from coordination.domain.values import percent as checked_percent


class ActionStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    DROPPED = "dropped"


class Action(CoordinationAggregate):
    """An action with an owner organisation, a due date and a source."""

    TOPIC = "coordination.action"
    KIND = "action"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Assigned(CoordinationAggregate.Created):
        """ActionAssigned."""

        TOPIC = "coordination.action.assigned"
        partnership_id: UUID
        group_id: UUID | None
        owner_id: UUID
        description: str
        due_on: date
        source_kind: str
        source_id: UUID | None

        def apply(self, a: Action) -> None:
            a.partnership_id, a.group_id, a.owner_id = (
                self.partnership_id,
                self.group_id,
                self.owner_id,
            )
            a.description, a.due_on = self.description, self.due_on
            a.source_kind, a.source_id = self.source_kind, self.source_id

    class ProgressReported(CoordinationAggregate.Event):
        """ActionProgressReported."""

        TOPIC = "coordination.action.progress_reported"
        percent: int
        note: str | None

        def apply(self, a: Action) -> None:
            a.progress = self.percent

    class Completed(CoordinationAggregate.Event):
        """ActionCompleted."""

        TOPIC = "coordination.action.completed"
        outcome: str

        def apply(self, a: Action) -> None:
            a.status, a.progress, a.outcome = ActionStatus.COMPLETED.value, 100, self.outcome

    class Dropped(CoordinationAggregate.Event):
        """ActionDropped."""

        TOPIC = "coordination.action.dropped"
        reason: str

        def apply(self, a: Action) -> None:
            a.status, a.drop_reason = ActionStatus.DROPPED.value, self.reason

    def __init__(self) -> None:
        self.partnership_id = self.owner_id = UUID(int=0)
        self.group_id: UUID | None = None
        self.description = ""
        self.due_on = date.min
        self.source_kind = ActionSource.GROUP.value
        self.source_id: UUID | None = None
        self.progress = 0
        self.status = ActionStatus.OPEN.value
        self.outcome: str | None = None
        self.drop_reason: str | None = None

    def audience(self) -> str:
        """A group's actions are for its forum; the others for the whole partnership."""
        return _audience(self.group_id)

    # -- commands ---------------------------------------------------------------

    @classmethod
    def assign(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        group_id: UUID | None,
        owner_id: UUID,
        description: str,
        due_on: date,
        source_kind: str,
        source_id: UUID | None,
    ) -> Action:
        """Assign an action to an owner organisation (checked by the application).

        An action from a group names the group (its source is the group itself); an
        action from a decision or a workshop names that decision or workshop.
        """
        source = choice(source_kind, ActionSource, "source_kind")
        if source is ActionSource.GROUP:
            if group_id is None:
                raise InvalidInput(
                    "is required for an action agreed in a working group", field="group_id"
                )
            if source_id not in (None, group_id):
                raise InvalidInput(
                    "must be left out, or be the group's id, for an action agreed in a working"
                    " group",
                    field="source_id",
                )
            source_id = group_id
        elif source_id is None:
            raise InvalidInput(
                f"is required for an action from a {source.value}: the {source.value}'s id",
                field="source_id",
            )
        if due_on < ctx.today:
            raise InvalidInput(
                f"{due_on.isoformat()} is before today ({ctx.today.isoformat()})", field="due_on"
            )
        return cls.start(
            cls.Assigned,
            ctx,
            audience=_audience(group_id),
            partnership_id=partnership_id,
            group_id=group_id,
            owner_id=owner_id,
            description=text(description, "description", max_length=TEXT_MAX),
            due_on=due_on,
            source_kind=source.value,
            source_id=source_id,
        )

    def report_progress(self, ctx: Context, *, percent: int, note: str | None) -> None:
        """Report how far the action has come (a report of 100% does not complete it)."""
        self.ensure_open()
        self.record(
            self.ProgressReported,
            ctx,
            percent=checked_percent(percent, "percent"),
            note=optional_text(note, "note"),
        )

    def complete(self, ctx: Context, *, outcome: str) -> None:
        """Close the action for good with what it achieved."""
        self.ensure_open()
        self.record(self.Completed, ctx, outcome=text(outcome, "outcome", max_length=TEXT_MAX))

    def drop(self, ctx: Context, *, reason: str) -> None:
        """Close the action for good without doing it, saying why."""
        self.ensure_open()
        self.record(self.Dropped, ctx, reason=text(reason, "reason", max_length=TEXT_MAX))

    def ensure_open(self) -> None:
        """Refuse any change to a completed or dropped action."""
        if self.status != ActionStatus.OPEN:
            raise RuleViolation(f"the action is {self.status}: it is closed for good")


def _audience(group_id: UUID | None) -> str:
    return forum_audience(group_id) if group_id else Audience.PARTNERSHIP.value
