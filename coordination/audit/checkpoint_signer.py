"""The integrator's signing gate: a checkpoint of the stored tree, signed only when the
tree extends every checkpoint the node signed before, and kept apart from the database.

Before the key is used, the stored tree must extend the database's latest checkpoint and
the one the keys directory keeps (``LastCheckpoint``); once the checkpoint's transaction
has committed, the keys directory keeps the new one. A tree that does not extend them is
not signed: the integrity alarm is raised, naming the sizes and roots (or, where a stored
hash of the tree is missing, which), and the refusal logged once while it lasts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from .integrity import Finding
from .signing import LogIntegrityError, sign_next
from .storage import StorageCorruptError

if TYPE_CHECKING:
    from .checkpoint import Checkpoint
    from .integrity import IntegrityAlarm
    from .last_checkpoint import LastCheckpoint
    from .note import Signer
    from .notifier import LogNotifier
    from .storage import LogStorage, StoredCheckpoint

log = logging.getLogger("coordination.audit.integrator")


class CheckpointSigner:
    """Signs the next checkpoint of a log's stored tree, or refuses to.

    Args:
        storage: The log's storage.
        signer: The node's key.
        origin: The log's origin.
        notifier: Told of every checkpoint signed.
        fault: The integrator's fault hook (``signing.sign_next``'s steps, then
            ``checkpoint_committed`` and ``checkpoint_kept``).
        last_checkpoint: The last checkpoint the node signed, kept in its keys directory;
            None checks the database's checkpoints only.
        integrity: The node's integrity alarm, raised on a refusal; None: the refusal is
            only logged and raised (tests, tools).
    """

    def __init__(
        self,
        storage: LogStorage,
        signer: Signer,
        *,
        origin: str,
        notifier: LogNotifier,
        fault: Callable[[str], None],
        last_checkpoint: LastCheckpoint | None,
        integrity: IntegrityAlarm | None = None,
    ) -> None:
        self.storage, self.signer, self.origin = storage, signer, origin
        self.notifier, self._fault = notifier, fault
        self.last_checkpoint, self.integrity = last_checkpoint, integrity
        self._refusing: str | None = None

    def sign_if_needed(self) -> StoredCheckpoint | None:
        """Sign a checkpoint of the stored tree if it grew since the last one.

        Returns:
            The new checkpoint, or None when the last one is current.

        Raises:
            LogIntegrityError: The stored tree does not extend the last checkpoint, the
                database's or the kept one (the alarm is raised).
            StorageCorruptError: A stored hash of the tree is missing (the alarm is
                raised).
            LastCheckpointError: The kept checkpoint cannot be read or written.
        """
        try:
            kept = self._kept()
            with self.storage.transaction() as tx:
                checkpoint = sign_next(tx, self.origin, self.signer, self._fault, kept)
        except LogIntegrityError as error:
            self._refuse(error.check, error)
            raise
        except StorageCorruptError as error:
            self._refuse("tree", error)
            raise
        self._refusing = None
        if checkpoint is None:
            return None
        self._fault("checkpoint_committed")
        if self.last_checkpoint is not None:
            self.last_checkpoint.keep(checkpoint.note)
        self._fault("checkpoint_kept")
        self.notifier.publish(checkpoint.size)
        return checkpoint

    def _kept(self) -> Checkpoint | None:
        """The checkpoint kept in the keys directory; on a node that kept none yet (its
        first start after an upgrade), the database's latest, kept from now on."""
        if self.last_checkpoint is None:
            return None
        kept = self.last_checkpoint.read()
        if kept is None and (stored := self.storage.latest_checkpoint()) is not None:
            kept = self.last_checkpoint.adopt(stored.note)
        return kept

    def _refuse(self, check: str, error: Exception) -> None:
        """Raise the alarm, and log the refusal once while the same check fails: without
        an alarm to halt it the integrator tries again every second. The alarm is raised
        each time, as an operator may have resolved it meanwhile."""
        if self.integrity is not None:
            self.integrity.raise_alarm(Finding(check, None, str(error)))
        if self._refusing == check:
            return
        self._refusing = check
        log.error(
            "the integrator refuses to sign: %s",
            error,
            extra={"fields": {"integrity": "alarm", "check": check}},
        )
