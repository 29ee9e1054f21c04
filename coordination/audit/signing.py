"""Signing the next checkpoint from stored state, never one that contradicts the last.

Runs inside the integrator's transaction, after the position row is locked: the size and
every hash come from storage, and the new tree must be proved consistent with the last
stored checkpoint, and with the last one the node kept apart from the database
(``last_checkpoint``), before the key is used. Checkpoints are keyed by size, so a second
signer of the same size fails to store instead of forking the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ._encoding import b64encode
from .checkpoint import Checkpoint, CheckpointError, sign_checkpoint
from .merkle import verify_consistency
from .note import NoteError, Signer, parse_note
from .storage import LogTransaction, StoredCheckpoint
from .stored import HashReader, prove_consistency, tree_hash


class LogIntegrityError(RuntimeError):
    """The stored log contradicts its last signed checkpoint: nothing more is signed.

    Args:
        detail: What contradicts what, with the sizes and roots.
        check: The check that failed, as the integrity alarm names it:
            ``stored_checkpoint`` (the database's own), ``last_checkpoint`` (the one kept
            in the keys directory).
    """

    def __init__(self, detail: str, *, check: str = "stored_checkpoint") -> None:
        super().__init__(detail)
        self.check = check


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


def check_kept(
    kept: Checkpoint, last: StoredCheckpoint | None, size: int, root: bytes, read: HashReader
) -> None:
    """Check that the stored tree ``(size, root)`` extends ``kept``, the last checkpoint
    the node signed as its keys directory remembers it.

    The database must still hold a checkpoint at least as large (the file is written after
    the checkpoint's transaction commits, so it is never ahead of an untouched database),
    and the stored hashes must prove the tree consistent with the kept root.

    Raises:
        LogIntegrityError: The database lost the kept checkpoint, or the tree does not
            extend it; the message names both sizes and roots.
    """
    signed = (
        f"this node last signed a checkpoint of size {kept.size} (root {b64encode(kept.root_hash)})"
    )
    tree = f"tree of {size} entries (root {b64encode(root)})"
    if last is None or last.size < kept.size:
        held = "no signed checkpoint" if last is None else f"checkpoints up to size {last.size}"
        raise LogIntegrityError(
            f"{signed}, but the database holds {held} and a {tree}: its log was wiped,"
            " rewritten or restored from a copy older than the keys directory; refusing to sign",
            check="last_checkpoint",
        )
    proof = prove_consistency(kept.size, size, read)
    if not verify_consistency(kept.size, size, kept.root_hash, root, proof):
        raise LogIntegrityError(
            f"{signed}, but the database's {tree} does not extend it: its log was"
            " rewritten; refusing to sign",
            check="last_checkpoint",
        )


def sign_next(
    tx: LogTransaction,
    origin: str,
    signer: Signer,
    fault: Callable[[str], None],
    kept: Checkpoint | None = None,
) -> StoredCheckpoint | None:
    """Sign and store a checkpoint of the stored tree if it grew since the last one.

    Args:
        tx: The integrator's transaction.
        origin: The log's origin.
        signer: The node's key.
        fault: The integrator's fault hook (steps ``root``, ``checked``, ``signed``,
            ``stored``).
        kept: The last checkpoint the node signed, kept apart from the database; None
            when it keeps none (a tool's integrator) or has not signed yet.

    Returns:
        The stored checkpoint (committed with ``tx``), or None when the last is current.

    Raises:
        LogIntegrityError: The stored tree does not extend the last checkpoint, stored or
            kept.
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
    if kept is not None:
        check_kept(kept, last, size, root, tx.read_hashes)
    fault("checked")
    note = sign_checkpoint(Checkpoint(origin, size, root), signer)
    fault("signed")
    checkpoint = StoredCheckpoint(size, root, note, datetime.now(UTC))
    tx.insert_checkpoint(checkpoint)
    fault("stored")
    return checkpoint
