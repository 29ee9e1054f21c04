"""The context a command runs in; every event it records copies its metadata from here.

Nothing in the domain reads a clock or a global: business time, the actor and the
organisation they act for arrive with the command, so replay is deterministic and tests
can set any moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """Who is doing what, for whom, when, and as part of which conversation.

    Attributes:
        actor: The pseudonymous id of the person (or service principal) acting. Never a name.
        origin: The node on which the command runs, e.g. ``slup.se/coordination/log``.
        acting_for: The organisation the actor acts for, when they act for one.
        occurred_at: Business time of the command (UTC).
        correlation_id: The conversation (request, import, saga) this command belongs to.
        causation_id: The message that caused this command; defaults to the command itself.
        command_id: This command's own id.
    """

    actor: str
    origin: str
    acting_for: UUID | None = None
    occurred_at: datetime = field(default_factory=utc_now)
    correlation_id: UUID = field(default_factory=uuid4)
    causation_id: UUID | None = None
    command_id: UUID = field(default_factory=uuid4)

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware (UTC)")

    @property
    def today(self) -> date:
        """The business date of the command, used for dated mandates and due dates."""
        return self.occurred_at.astimezone(UTC).date()

    @property
    def cause(self) -> UUID:
        return self.causation_id or self.command_id

    def caused_by(self, message_id: UUID) -> Context:
        """The context of a follow-on command caused by `message_id`, same conversation."""
        return replace(self, causation_id=message_id, command_id=uuid4())
