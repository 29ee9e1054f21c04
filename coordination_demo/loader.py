"""What a demo load keeps as it goes: the story's clock, the commands counted, and the
ids it made, for the steps that follow and for the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from coordination.application import CommandOptions, CommandResult, Coordination
from coordination.domain.context import Context
from coordination_demo.story import START, person


@dataclass
class DemoSummary:
    """What a demo load made: the partnership, the commands and events, and ids by label."""

    partnership_id: UUID
    commands: int = 0
    events: int = 0
    ids: dict[str, UUID] = field(default_factory=dict)


class Loader:
    """The state of a load in progress: the application, the clock, the representatives."""

    def __init__(self, app: Coordination, origin: str) -> None:
        self.app, self.origin = app, origin
        self.clock = START
        self.commands = 0
        self.reps: dict[UUID, UUID] = {}  # member -> its representative

    def at(self, days: float) -> None:
        """Move the clock to `days` after the story's start."""
        self.clock = START + timedelta(days=days)

    def ctx(self, member: UUID | None = None) -> Context:
        """A command's context: the secretariat's, or that of `member`'s representative."""
        if member is None:
            return Context(
                actor=str(person("secretariat")), origin=self.origin, occurred_at=self.clock
            )
        return Context(
            actor=str(self.reps[member]),
            origin=self.origin,
            acting_for=member,
            occurred_at=self.clock,
        )

    def key(self, name: str) -> CommandOptions:
        """Every demo command carries a key, so a demo load interrupted half-way can resume."""
        self.commands += 1
        return CommandOptions(idempotency_key=f"demo:{name}")


def created(result: CommandResult) -> UUID:
    """The id of what a command created."""
    assert result.created_id is not None
    return result.created_id
