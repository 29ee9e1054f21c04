"""The integrated log as its readers see it: checkpoints, entries and proofs.

Readers see the log up to its latest signed checkpoint. Everything below a checkpoint is
immutable, so these reads need no transaction spanning them. The methods are synchronous
(the storage is); HTTP handlers call them in a worker thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .notifier import LogNotifier
from .stored import prove_consistency, prove_inclusion

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from eventsourcing.application import Application

    from coordination.persistence.eventstore import DatabaseTarget

    from .note import Verifier
    from .storage import LogEntry, LogStorage, StoredCheckpoint
    from .witness_store import WitnessStore

WATCH_INTERVAL_S = 5.0


class AuditLog:
    """A node's log for reading: its origin, verifier key, storage and wake-ups.

    Args:
        storage: Where the log is kept.
        origin: The log's origin.
        verifier: The node's verifier key, served at ``/key``.
        notifier: Published to when a checkpoint is signed; share it with an in-process
            ``Integrator`` so that long-polls wake at once.
    """

    def __init__(
        self,
        storage: LogStorage,
        *,
        origin: str,
        verifier: Verifier,
        notifier: LogNotifier | None = None,
    ) -> None:
        self.storage = storage
        self.origin = origin
        self.verifier = verifier
        self.notifier = notifier or LogNotifier()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._witness_store: WitnessStore | None = None

    @property
    def witness_store(self) -> WitnessStore:
        """The witness's tables beside the log: what it cosigned for partners, and the
        cosignatures gathered for the log's own checkpoints (FEED-PROTOCOL §7)."""
        if self._witness_store is None:
            from .witness_store import WitnessStore

            self._witness_store = WitnessStore(self.storage)
        return self._witness_store

    def cosigned_note(self, checkpoint: StoredCheckpoint) -> str:
        """The checkpoint's note with the cosignatures gathered for it appended as extra
        signature lines."""
        lines = self.witness_store.cosignatures(checkpoint.size)
        return checkpoint.note + "".join(c.line for c in lines)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The latest signed checkpoint, or None before the first."""
        checkpoint = self.storage.latest_checkpoint()
        if checkpoint is not None:
            self.notifier.publish(checkpoint.size)
        return checkpoint

    def covering_checkpoint(self, size: int) -> StoredCheckpoint | None:
        """The smallest signed checkpoint of at least ``size`` entries."""
        return self.storage.covering_checkpoint(size)

    def checkpoint_at_or_below(self, size: int) -> StoredCheckpoint | None:
        """The largest signed checkpoint of at most ``size`` entries."""
        return self.storage.checkpoint_at_or_below(size)

    def entries(self, start: int, stop: int) -> list[LogEntry]:
        """The entries ``start <= index < stop`` (callers keep ``stop`` within a checkpoint)."""
        return self.storage.entries(start, stop)

    def entry_for_event(self, event_id: UUID) -> LogEntry | None:
        """The entry of the event ``event_id``, or None while it is not integrated."""
        return self.storage.entry_for_event(str(event_id))

    def entries_for_notifications(self, notification_ids: Sequence[int]) -> list[LogEntry]:
        """The entries of these notifications (of the event store), those integrated."""
        return self.storage.entries_for_notifications(notification_ids)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The RFC 9162 inclusion proof of ``index`` in the tree of ``size`` entries."""
        return prove_inclusion(index, size, self.storage.read_hashes)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The RFC 9162 consistency proof from size ``first`` to size ``second``."""
        return prove_consistency(first, second, self.storage.read_hashes)

    def start_watching(self) -> None:
        """Follow checkpoints signed by other processes (PostgreSQL NOTIFY, else polling).

        Only needed where the integrator may run in another process; an in-process
        integrator sharing ``notifier`` wakes readers directly.
        """
        if self._watcher is not None:
            return
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch, name="audit-log-watcher", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.latest_checkpoint()
                self.storage.wait_for_checkpoint(WATCH_INTERVAL_S, self._stop)
            except Exception:  # a database hiccup must not end the watcher
                self._stop.wait(1.0)

    def close(self) -> None:
        """Stop watching and release the storage's connections."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
            self._watcher = None
        self.storage.close()


def open_audit_log(
    target: DatabaseTarget,
    app: Application[UUID],
    *,
    origin: str,
    verifier: Verifier,
    notifier: LogNotifier | None = None,
) -> AuditLog:
    """The audit log beside an application's event store (its tables are created when
    missing).

    Args:
        target: Where the event store is.
        app: The application whose events the log integrates.
        origin: The log's origin (the node's, `Settings.origin`).
        verifier: The node's verifier key (``load_signer(settings).verifier``).
        notifier: Share with the in-process integrator, if any.
    """
    from .storage import open_storage

    storage = open_storage(target, app)
    storage.create_tables()
    return AuditLog(storage, origin=origin, verifier=verifier, notifier=notifier)
