"""Each person's key, kept apart from the events: their own table on PostgreSQL, their own
file on SQLite (in the data directory's private ``keys/``).

A key is made the first time a datum about its person is sealed, and it is written in
the same transaction as the event that needs it (`sealing`, decision 39): never lost
while that event is kept, never kept for an event that was not. Erasing it overwrites
the key with nothing and keeps a tombstone, so that the node knows the person was
forgotten (no new datum about them is sealed) without knowing anything about them.
Keys are never exported, synced or logged: nothing here writes one anywhere but its
store, and no message names more than a person's pseudonymous id.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from uuid import UUID

from coordination.domain.errors import RuleViolation
from coordination.persistence.eventstore import DatabaseTarget
from coordination.persistence.write_along import Statement, WriteAlong

#: The SQLite file of the keys, in the data directory.
KEYS_FILE = Path("keys") / "subject-keys.db"
#: Persons looked up in one statement.
_CHUNK = 500


class KeyState(StrEnum):
    """What the node holds of a person's key."""

    UNKNOWN = "unknown"
    HELD = "held"
    ERASED = "erased"


class SubjectErasedError(RuleViolation):
    """A datum about a person who has been forgotten cannot be recorded."""

    def __init__(self, subject_id: UUID) -> None:
        super().__init__(
            f"person {subject_id} has been erased: no personal data about them is recorded"
        )


class SealingOutsideASave(RuntimeError):
    """A personal datum was to be sealed with no save to make its key durable with."""

    def __init__(self) -> None:
        super().__init__("a personal datum is sealed only as its event is saved (sealing)")


@dataclass
class _Sealing:
    """One command's keys: each person's looked up once (their state and key, None
    unless held), and the writes of the keys made new."""

    found: dict[UUID, tuple[KeyState, bytes | None]] = field(default_factory=dict)
    writes: list[Statement] = field(default_factory=list)


class SubjectKeys(ABC):
    """The key store: a key or a tombstone per person. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()  # .sealing: this thread's command, if any

    @abstractmethod
    def _lookup(self, subject_ids: Sequence[str]) -> list[tuple[str, bytes | None]]:
        """Each of these persons the store knows, with their key (None once erased)."""

    @abstractmethod
    def _make(self, subject_id: UUID) -> tuple[bytes, Statement]:
        """A new key for the person, and the statement that records it as theirs (run
        in the transaction of the save that seals with it)."""

    @abstractmethod
    def _erase(self, subject_id: UUID) -> None:
        """Overwrite the person's key, if held, with nothing."""

    @abstractmethod
    def close(self) -> None:
        """Close the store's connection."""

    @contextmanager
    def sealing(self) -> Iterator[WriteAlong]:
        """The scope of one command on this thread (a scope already open is joined): it
        looks each person up once, its checks and its save alike, and the keys its save
        makes are written with its events.

        Yields:
            The save's `WriteAlong`: the statements that record the keys made.
        """
        scope: _Sealing | None = getattr(self._local, "sealing", None)
        if scope is not None:
            yield _writes_of(scope)
            return
        scope = self._local.sealing = _Sealing()
        try:
            yield _writes_of(scope)
        finally:
            self._local.sealing = None

    def _held(self, subject_id: UUID) -> tuple[KeyState, bytes | None]:
        """The person's state and key, looked up once in this thread's command."""
        scope: _Sealing | None = getattr(self._local, "sealing", None)
        if scope is not None and (known := scope.found.get(subject_id)) is not None:
            return known
        rows = self._lookup([str(subject_id)])
        if not rows:
            found: tuple[KeyState, bytes | None] = (KeyState.UNKNOWN, None)
        else:
            key = rows[0][1]
            found = (KeyState.ERASED, None) if key is None else (KeyState.HELD, key)
        if scope is not None:
            scope.found[subject_id] = found
        return found

    def key_for_sealing(self, subject_id: UUID) -> bytes:
        """The person's key, made now if they have none (recorded by the save).

        Raises:
            SubjectErasedError: The person has been forgotten.
            SealingOutsideASave: No command on this thread would make a new key durable.
        """
        scope: _Sealing | None = getattr(self._local, "sealing", None)
        if scope is None:
            raise SealingOutsideASave
        state, key = self._held(subject_id)
        if state is KeyState.ERASED:
            raise SubjectErasedError(subject_id)
        if key is None:
            key, write = self._make(subject_id)
            scope.writes.append(write)
            scope.found[subject_id] = (KeyState.HELD, key)
        return key

    def keys_of(self, subject_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """The keys still held of these persons (the forgotten and the unknown left out)."""
        wanted = sorted({str(s) for s in subject_ids})
        found: dict[UUID, bytes] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = self._lookup(wanted[start : start + _CHUNK])
            found.update((UUID(subject), bytes(key)) for subject, key in rows if key is not None)
        return found

    def state(self, subject_id: UUID) -> KeyState:
        """Whether the node holds a key of the person, has erased it, or never had one."""
        return self._held(subject_id)[0]

    def erase(self, subject_id: UUID) -> None:
        """Destroy the person's key, keeping the tombstone; erasing twice changes nothing."""
        scope: _Sealing | None = getattr(self._local, "sealing", None)
        if scope is not None:
            scope.found.pop(subject_id, None)
        self._erase(subject_id)
        self._scrub()

    def _scrub(self) -> None:  # noqa: B027  # a store with nothing to scrub keeps this
        """Make the engine drop the erased key's old bytes where it can."""


def _writes_of(scope: _Sealing) -> WriteAlong:
    return lambda: tuple(scope.writes)


def marks(count: int, mark: str) -> str:
    """`count` parameter marks, comma-separated (only marks are formatted into SQL)."""
    return ", ".join([mark] * count)


def open_subject_keys(target: DatabaseTarget, data_dir: Path) -> SubjectKeys:
    """The key store of the node whose events are at `target`."""
    if target.is_postgres:
        from coordination.privacy.keys_postgres import PostgresSubjectKeys

        return PostgresSubjectKeys(target)
    from coordination.privacy.keys_sqlite import SQLiteSubjectKeys

    assert target.sqlite_path is not None
    return SQLiteSubjectKeys(data_dir / KEYS_FILE, target.sqlite_path)
