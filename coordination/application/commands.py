"""What a command takes besides its arguments, what it returns, and what its `handle` gives
the unit of work to save."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from coordination.domain.base import CoordinationAggregate


@dataclass(frozen=True)
class CommandOptions:
    """Per-call options every command accepts.

    Attributes:
        idempotency_key: A retried command with the same key (from the same actor)
            records nothing twice and returns the first result.
        expected_version: The version the caller last saw of the command's main stream;
            when given, any other version is a conflict instead of a silent re-run.
    """

    idempotency_key: str | None = None
    expected_version: int | None = None


NO_OPTIONS = CommandOptions()


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: its main stream at its new version, and what it created.

    `position` is the log position of the last event the command recorded: the views
    include the command once they reach it. It is None for an answer replayed from an
    idempotency record (nothing new was recorded; the caller falls back to the log's head).
    """

    stream_id: UUID
    version: int
    created_id: UUID | None = None
    position: int | None = field(default=None, compare=False)

    def to_record(self) -> dict[str, str | int | None]:
        return {
            "stream_id": str(self.stream_id),
            "version": self.version,
            "created_id": str(self.created_id) if self.created_id else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, str | int | None]) -> CommandResult:
        created = record.get("created_id")
        return cls(
            stream_id=UUID(str(record["stream_id"])),
            version=int(record["version"] or 0),
            created_id=UUID(str(created)) if created else None,
        )


@dataclass
class Outcome:
    """The aggregates a command changed; `main` names the stream the result reports."""

    main: CoordinationAggregate
    created_id: UUID | None = None
    others: list[CoordinationAggregate] = field(default_factory=list)
