"""Signing the next checkpoint from stored state, never one that contradicts the last.

Runs inside the integrator's transaction, after the position row is locked: the size and
every hash come from storage, and the new tree must be proved consistent with the last
stored checkpoint before the key is used. Checkpoints are keyed by size, so a second
signer of the same size fails to store instead of forking the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .checkpoint import Checkpoint, CheckpointError, sign_checkpoint
from .merkle import verify_consistency
from .note import NoteError, Signer, parse_note
from .storage import LogTransaction, StoredCheckpoint
from .stored import HashReader, prove_consistency, tree_hash


class LogIntegrityError(RuntimeError):
    """The stored log contradicts its last signed checkpoint: nothing more is signed."""


def check_extends(
    origin: str, last: StoredCheckpoint, size: int, root: bytes, read: HashReader
) -> None:
    """Check that the stored tree ``(size, root)`` extends the stored checkpoint ``last``.

    Raises:
        LogIntegrityError: The checkpoint's row and note disagree, or the trees do.
    """
    try:
        signed = Checkpoint.parse(parse_note(last.note)[0])
    except (NoteError, CheckpointError) as exc:
        raise LogIntegrityError(f"the stored checkpoint of size {last.size}: {exc}") from exc
    if (signed.origin, signed.size, signed.root_hash) != (origin, last.size, last.root):
        raise LogIntegrityError(f"the stored checkpoint of size {last.size} was altered")
    proof = prove_consistency(last.size, size, read)
    if not verify_consistency(last.size, size, last.root, root, proof):
        raise LogIntegrityError(
            f"the stored tree of {size} entries does not extend the signed checkpoint"
            f" of size {last.size}: refusing to sign"
        )


def sign_next(
    tx: LogTransaction, origin: str, signer: Signer, fault: Callable[[str], None]
) -> StoredCheckpoint | None:
    """Sign and store a checkpoint of the stored tree if it grew since the last one.

    Args:
        tx: The integrator's transaction.
        origin: The log's origin.
        signer: The node's key.
        fault: The integrator's fault hook (steps ``root``, ``checked``, ``signed``,
            ``stored``).

    Returns:
        The stored checkpoint (committed with ``tx``), or None when the last is current.

    Raises:
        LogIntegrityError: The stored tree does not extend the last checkpoint.
    """
    size = tx.lock_position().size
    last = tx.latest_checkpoint()
    if last is not None and last.size >= size:
        if last.size > size:
            raise LogIntegrityError(
                f"a checkpoint of size {last.size} exists but the log has {size} entries"
            )
        return None
    root = tree_hash(size, tx.read_hashes)
    fault("root")
    if last is not None:
        check_extends(origin, last, size, root, tx.read_hashes)
    fault("checked")
    note = sign_checkpoint(Checkpoint(origin, size, root), signer)
    fault("signed")
    checkpoint = StoredCheckpoint(size, root, note, datetime.now(UTC))
    tx.insert_checkpoint(checkpoint)
    fault("stored")
    return checkpoint
