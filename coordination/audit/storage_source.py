"""The node's own database as a log ``verify`` reads, as it reads a bundle or a node.

The entries come in index order with what the database stores beside them (the
notification id, and the event's id, stream, version, type and audience, which the
verifier compares with the bytes); the checkpoint is the latest the node stored, to be
verified with the node's verifier key like any other; proofs come from the stored tree,
so the same checks show where the tree disagrees with the entries; and the node's stored
checkpoints are carried as a bundle's are (``export.carried_checkpoints``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .export import CHECKPOINT_SPACING, carried_checkpoints
from .storage import LogEntry, LogStorage, StorageCorruptError, StoredCheckpoint
from .stored import StoredHashError, prove_consistency, prove_inclusion
from .verify_sources import PAGE_SIZE, SourceEntry, SourceError

if TYPE_CHECKING:
    from datetime import datetime

    from .checkpoint import Checkpoint

DESCRIPTION = "the node's database"


class StorageSource:
    """The log in the node's own database.

    Args:
        storage: The node's log storage (the caller closes it).
        vkey: The node's verifier key line (what ``own_key`` answers).
        spacing: Its checkpoints are carried at or below every multiple of this many
            entries, as a bundle's are.
    """

    def __init__(
        self, storage: LogStorage, vkey: str, *, spacing: int = CHECKPOINT_SPACING
    ) -> None:
        self.storage, self._vkey, self._spacing = storage, vkey, spacing
        self.description = DESCRIPTION
        self._latest: StoredCheckpoint | None = None

    def latest(self) -> StoredCheckpoint:
        """The latest checkpoint the node stored (read once, then kept).

        Raises:
            SourceError: The node has signed none yet.
        """
        if self._latest is None:
            self._latest = self.storage.latest_checkpoint()
            if self._latest is None:
                raise SourceError("the log has no signed checkpoint yet: run the integrator")
        return self._latest

    def checkpoint_note(self) -> str:
        return self.latest().note

    def own_key(self) -> str:
        return self._vkey

    def pages(self, size: int) -> Iterator[list[SourceEntry]]:
        for start in range(0, size, PAGE_SIZE):
            yield [
                _source_entry(e) for e in self.storage.entries(start, min(start + PAGE_SIZE, size))
            ]

    def consistency_proof(self, first: int, second: int) -> list[bytes] | None:
        try:
            return prove_consistency(first, second, self.storage.read_hashes)
        except (StorageCorruptError, StoredHashError) as exc:
            raise SourceError(f"the stored tree cannot prove {first} to {second}: {exc}") from exc

    def inclusion_proof(self, index: int, size: int) -> list[bytes] | None:
        try:
            return prove_inclusion(index, size, self.storage.read_hashes)
        except (StorageCorruptError, StoredHashError) as exc:
            raise SourceError(f"the stored tree cannot prove entry {index}: {exc}") from exc

    def checkpoints(self) -> list[tuple[int, str]]:
        carried = carried_checkpoints(
            self.storage.checkpoint_at_or_below, self.latest(), self._spacing
        )
        return [(checkpoint.size, checkpoint.note) for checkpoint in carried]

    def problems(self, checkpoint: Checkpoint, last_recorded: datetime | None) -> list[str]:
        del checkpoint, last_recorded
        return []


def _source_entry(entry: LogEntry) -> SourceEntry:
    columns = (entry.event_id, entry.stream_id, entry.stream_version, entry.type, entry.audience)
    return SourceEntry(
        entry.index,
        entry.leaf_hash,
        entry.entry,
        notification_id=entry.notification_id,
        columns=columns,
    )
