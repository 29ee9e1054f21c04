"""The integrator: the event table's first consumer, which makes the log (FEED-PROTOCOL §1-§2).

It reads events in notification-id order, which on both stores is commit order, gives
each the next log index, writes its envelope bytes and leaf hash, extends the Merkle
tree's stored hashes and moves its position, all in one transaction that first locks the
position row and checks it is still where the batch began; a crash anywhere loses
nothing and leaves no half-written batch. It then signs a checkpoint from the stored
state alone, after checking that the new tree extends the last signed checkpoint, both
the database's and the one kept in the keys directory, and stores it in a transaction
keyed by tree size, so no two checkpoints can disagree (``CheckpointSigner``). A tree
that does not extend them is not signed: the integrity alarm is raised instead.

One integrator runs per log: among processes, the leader holds the storage's session
lock (a PostgreSQL advisory lock, a file lock beside an SQLite file) and the others wait
to take over when it dies. ``run_once`` needs no leadership; it is safe beside a leader.

While the node's integrity alarm is raised (`integrity`) it neither integrates nor
signs: nothing is appended to or signed over a log known to disagree with itself. The
self-audit (`auditor.Auditor`) runs beside the leader, told of every range written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .batches import Batch, BatchReader
from .checkpoint_signer import CheckpointSigner
from .encoding_pool import MIN_ROWS, EncodingPool
from .entry_encoder import EntryEncoder
from .integrity import Finding, IntegrityAlarm
from .note import Signer
from .notifier import LogNotifier
from .signing import LogIntegrityError
from .storage import LogEntry, LogStorage, Position, StorageCorruptError, StoredCheckpoint
from .stored import plan_append, stored_hash_count

if TYPE_CHECKING:
    from uuid import UUID

    from eventsourcing.application import Application

    from .auditor import Auditor
    from .last_checkpoint import LastCheckpoint

log = logging.getLogger(__name__)

__all__ = ["STEPS", "Integrator", "LogIntegrityError"]

STEPS = (
    "read",
    "encoded",
    "locked",
    "entries",
    "hashes",
    "position",
    "committed",
    "root",
    "checked",
    "signed",
    "stored",
    "checkpoint_committed",
    "checkpoint_kept",
)
"""The step boundaries at which a ``fault`` hook is called (tests crash there).
``checkpoint_committed`` is passed after the checkpoint's transaction commits and before
the keys directory keeps it, ``checkpoint_kept`` after."""


class Integrator:
    """Integrates recorded events into the log and signs its checkpoints.

    Args:
        app: The application whose recorded events are integrated (its mapper reads them).
        storage: The log storage beside its event store (``open_storage``); its tables
            are created when missing.
        signer: The node's key; its name must be the node's origin.
        origin: The node's origin (`Settings.origin`), which the log's entries name.
        notifier: Told of every signed checkpoint (share it with the ``AuditLog``).
        batch_size: Events per transaction.
        checkpoint_interval: Seconds between checkpoints while events keep arriving; the
            integrator also signs when it has caught up, at most once every
            ``checkpoint_gap`` seconds.
        checkpoint_gap: Shortest time between two checkpoints. Events that trickle in
            one by one would otherwise each end in a checkpoint of their own (a root, a
            signature, a row and a notification to every process), which made signing
            as costly as integrating; the protocol asks for one within 2 seconds. Caught
            up, the integrator also lets new events gather for as long before it
            integrates them: one batch, not one per event, between two checkpoints.
        takeover_interval: Seconds between attempts to take over from another process.
        fault: Called with each name of ``STEPS`` as it is passed; raising from it
            simulates a crash at that boundary.
        encode_in_worker: Encode large batches in a worker process (``EncodingPool``)
            while this one writes; it starts on the first large batch and stops with
            ``stop`` or ``close``. Off, or when a cipher or compressor leaves no direct
            path, everything is encoded in this process.
        worker_min_rows: Batches smaller than this are encoded in this process.
        integrity: The node's integrity alarm: while it is raised nothing is integrated
            or signed, and a tree that does not extend the last checkpoint raises it.
        auditor: The self-audit, run beside ``run_forever`` while it leads and told of
            each range written.
        last_checkpoint: The last checkpoint the node signed, kept in its keys directory;
            the node's integrators always have it. None: only the database's own
            checkpoints are checked (tests, tools).
    """

    def __init__(
        self,
        app: Application[UUID],
        storage: LogStorage,
        signer: Signer,
        *,
        origin: str,
        notifier: LogNotifier | None = None,
        batch_size: int = 2000,
        checkpoint_interval: float = 1.0,
        checkpoint_gap: float = 0.25,
        takeover_interval: float = 2.0,
        fault: Callable[[str], None] | None = None,
        encode_in_worker: bool = True,
        worker_min_rows: int = MIN_ROWS,
        integrity: IntegrityAlarm | None = None,
        auditor: Auditor | None = None,
        last_checkpoint: LastCheckpoint | None = None,
    ) -> None:
        self.origin = origin
        if signer.name != self.origin:
            raise ValueError(f"the signing key is named {signer.name!r}, not the origin")
        self.signer = signer
        self._app = app  # the application closes its store when it is collected
        self._encoder = EntryEncoder(app.mapper, self.origin)
        self.encoding_pool = (
            EncodingPool(self.origin, min_rows=worker_min_rows)
            if encode_in_worker and self._encoder.direct
            else None
        )
        self.storage = storage
        self.storage.create_tables()
        self.notifier = notifier or LogNotifier()
        self.batch_size = batch_size
        self.checkpoint_interval = checkpoint_interval
        self.checkpoint_gap = checkpoint_gap
        self._looked_to_sign = float("-inf")
        self.takeover_interval = takeover_interval
        self._fault = fault or (lambda _step: None)
        self._position = Position(0, 0)
        self._moved = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: BaseException | None = None
        self.integrity, self.auditor = integrity, auditor
        self._leading = threading.Event()
        self._signing = CheckpointSigner(
            storage,
            signer,
            origin=origin,
            notifier=self.notifier,
            fault=self._fault,
            last_checkpoint=last_checkpoint,
            integrity=integrity,
        )

    # Integration.

    def _read(self, position: Position) -> Batch | None:
        """Read the batch after ``position`` and encode it, or have the worker encode it
        (in the read-ahead thread)."""
        rows = self.storage.read_events(position.notification_id + 1, self.batch_size)
        self._fault("read")
        if not rows:
            return None
        first, end = position.size, Position(rows[-1][0], position.size + len(rows))
        pool = self.encoding_pool
        encoding = pool.submit(rows, first) if pool is not None else None
        if encoding is None:
            entries = self._encoder.entries(rows, first)
            self._fault("encoded")
            return Batch(lambda: entries, len(rows), end)

        def encoded() -> list[LogEntry]:
            # Raises what the worker raised, or that it died: never a batch short.
            done = self._encoder.assemble(rows, first, encoding())
            self._fault("encoded")
            return done

        return Batch(encoded, len(rows), end)

    def _write(self, start: Position, batch: Batch) -> bool:
        """Write a batch in one transaction, if the stored position is still ``start``."""
        entries = batch.entries()  # before the transaction: it may wait for the worker
        with self.storage.transaction() as tx:
            if tx.lock_position() != start:
                return False
            self._fault("locked")
            hashes = plan_append(start.size, [e.leaf_hash for e in entries]).run(tx.read_hashes)
            tx.insert_entries(entries)
            self._fault("entries")
            tx.insert_hashes(stored_hash_count(start.size), hashes)
            self._fault("hashes")
            tx.set_position(batch.end)
            self._fault("position")
        self._fault("committed")
        return True

    def integrate(self, *, until: float | None = None) -> int | None:
        """Integrate the events recorded so far, batch by batch, reading ahead.

        Args:
            until: A ``time.monotonic()`` moment to stop at (after the batch in hand), so
                that a busy log still gets checkpoints.

        Returns:
            How many events were integrated (none while the integrity alarm is raised),
            or None if another integrator moved first (this one then stops; what it
            wrote stays).
        """
        if self._halted():
            return 0
        position = self.storage.position()
        reader = BatchReader(
            self._read,
            position,
            more=lambda batch: batch.count == self.batch_size,
            until=until,
        )
        total = 0
        try:
            for batch in reader:
                if not self._write(position, batch):
                    return None
                if self.auditor is not None:
                    self.auditor.integrated(position, batch.end)
                position = batch.end
                total += batch.count
                self._advanced(position)
        finally:
            reader.close()
            self._advanced(position)
        return total

    def _advanced(self, position: Position) -> None:
        with self._moved:
            if position.size >= self._position.size:
                self._position = position
            self._moved.notify_all()

    # Signing.

    def sign_if_needed(self) -> StoredCheckpoint | None:
        """Sign a checkpoint of the stored tree if it grew since the last one.

        Returns:
            The new checkpoint, or None when the last one is current or the integrity
            alarm is raised.

        Raises:
            LogIntegrityError: The stored tree does not extend the last checkpoint, the
                database's or the kept one (the integrity alarm is raised).
            StorageCorruptError: A stored hash of the tree is missing (the alarm is
                raised).
        """
        if self._halted():
            return None
        return self._signing.sign_if_needed()

    # Running.

    def run_once(self) -> int:
        """Integrate every event recorded so far, then sign if the log grew.

        Returns:
            How many events this call integrated.
        """
        total = 0
        while (count := self.integrate()) is None:
            pass  # another integrator moved the position: go on from where it got to
        total += count
        self.sign_if_needed()
        return total

    def run_forever(self, stop: threading.Event) -> None:
        """Lead or stand by until ``stop`` is set: integrate as events arrive (gathered
        for ``checkpoint_gap`` once caught up), sign within ``checkpoint_interval`` (at
        once when caught up), take over when the leader dies."""
        session = self.storage.integrator_session()
        if self.auditor is not None:
            self.auditor.start(leading=self._leading.is_set)
        try:
            while not stop.is_set():
                if not session.try_lead():
                    self._leading.clear()
                    stop.wait(self.takeover_interval)
                    continue
                self._leading.set()
                try:
                    count = self.integrate(until=time.monotonic() + self.checkpoint_interval)
                    # Until the gap is over, wait no longer than it lasts, then sign.
                    due_in = self._sign_when_due()
                    self.last_error = None
                except LogIntegrityError as error:
                    self.last_error = error  # logged and raised as an alarm when first met
                    stop.wait(1.0)
                    continue
                except Exception as error:
                    self.last_error = error
                    if isinstance(error, StorageCorruptError):
                        self._alarm("tree", error)
                    log.exception("the integrator failed; retrying")
                    stop.wait(1.0)
                    continue
                if count == 0:
                    session.wait_for_events(due_in or self.takeover_interval, stop)
                elif count and count % self.batch_size:
                    # Caught up on events that trickle in: let them gather until the next
                    # checkpoint may be signed. The feed serves entries up to a checkpoint
                    # only, so integrating them sooner shows nothing sooner; gathered, a
                    # batch's round trips serve many events instead of one or two.
                    stop.wait(self.checkpoint_gap if due_in is None else due_in)
        finally:
            self._leading.clear()
            if self.auditor is not None:
                self.auditor.stop()
            session.close()
            self.close()

    def _halted(self) -> bool:
        return self.integrity is not None and self.integrity.halts("the integrator")

    def _alarm(self, check: str, error: Exception) -> None:
        if self.integrity is not None:
            self.integrity.raise_alarm(Finding(check, None, str(error)))

    def _sign_when_due(self) -> float | None:
        """Sign if the last look was ``checkpoint_gap`` ago or more; else the seconds
        until it will have been."""
        waited = time.monotonic() - self._looked_to_sign
        if waited < self.checkpoint_gap:
            return self.checkpoint_gap - waited
        self.sign_if_needed()
        self._looked_to_sign = time.monotonic()
        return None

    def start(self) -> threading.Thread:
        """Run ``run_forever`` in a daemon thread until ``stop``."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self.run_forever, args=(self._stop,), name="integrator", daemon=True
            )
            self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread started by ``start`` and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.close()

    def close(self) -> None:
        """Stop the encoding worker, if one runs (a later integration starts another)."""
        if self.encoding_pool is not None:
            self.encoding_pool.close()

    def wait_until_integrated(self, notification_id: int, timeout: float) -> bool:
        """Wait until the event with ``notification_id`` (and all before it) has an index.

        Follows this process's integrator at once and another process's by re-reading
        the stored position now and then.

        Returns:
            Whether it was integrated before ``timeout`` seconds passed.
        """
        deadline = time.monotonic() + timeout
        with self._moved:
            while self._position.notification_id < notification_id:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                if not self._moved.wait(min(remaining, 0.25)):
                    self._position = max(
                        self._position, self.storage.position(), key=lambda p: p.size
                    )
        return True

    def wait_until_signed(self, size: int, timeout: float) -> bool:
        """Wait until this process saw a checkpoint of at least ``size`` entries signed."""
        return self.notifier.wait_beyond_sync(size - 1, timeout)
