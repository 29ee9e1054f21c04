"""The last checkpoint the node signed, kept in its keys directory, apart from the database.

The database keeps every checkpoint, but whoever can write the database can also wipe or
rewrite its log tables, checkpoints included; the integrator would then integrate the
events again and sign a different tree of a size it had signed before. The file
``last-checkpoint`` in the keys directory holds the signed note of the newest checkpoint
the node signed, and the integrator signs no tree the stored hashes do not prove to
extend it (``signing.check_kept``): the node may only ever sign one history.

The file is replaced at once (``replace_private``), and only after the checkpoint's
transaction has committed: a crash in between leaves it one checkpoint behind the
database, which the next checkpoint extends, never ahead of it. It only moves forward:
a process that signed an older checkpoint does not write over a newer one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from coordination.private_files import ExposedFileError, read_secret, replace_private

from .checkpoint import Checkpoint, CheckpointError
from .keys import private_keys_dir
from .note import NoteError, parse_note
from .signing import LogIntegrityError, check_kept
from .stored import tree_hash

if TYPE_CHECKING:
    from coordination.settings import Settings

    from .storage import LogStorage

log = logging.getLogger(__name__)

FILE = "last-checkpoint"


class LastCheckpointError(RuntimeError):
    """The file cannot be read or written; the message says which and why."""


def node_last_checkpoint(settings: Settings) -> LastCheckpoint:
    """The node's kept checkpoint, in its keys directory (made 0700 when missing).

    Raises:
        SigningKeyError: Others may enter the keys directory.
    """
    return LastCheckpoint(private_keys_dir(settings), settings.origin)


class LastCheckpoint:
    """The file ``last-checkpoint`` in a keys directory.

    Args:
        directory: The node's keys directory (``keys.private_keys_dir``).
        origin: The node's origin, which the kept checkpoint must name.
    """

    def __init__(self, directory: Path, origin: str) -> None:
        self.directory = directory
        self.path = directory / FILE
        self.origin = origin

    def read(self) -> Checkpoint | None:
        """The kept checkpoint, or None when there is no file yet.

        Raises:
            LastCheckpointError: Others may read or write the file, or it cannot be read.
            LogIntegrityError: It does not hold a checkpoint of this node's log.
        """
        try:
            note = read_secret(self.path)
        except FileNotFoundError:
            return None
        except ExposedFileError as error:
            raise LastCheckpointError(f"the last signed checkpoint {error}") from None
        except OSError as error:
            raise LastCheckpointError(f"{self.path} cannot be read: {error}") from None
        return self._parse(note)

    def _parse(self, note: bytes | str) -> Checkpoint:
        try:
            checkpoint = Checkpoint.parse(parse_note(note)[0])
        except (NoteError, CheckpointError) as error:
            raise LogIntegrityError(
                f"{self.path} does not hold a signed checkpoint: {error}", check="last_checkpoint"
            ) from None
        if checkpoint.origin != self.origin:
            raise LogIntegrityError(
                f"{self.path} holds a checkpoint of {checkpoint.origin!r}, not of this node's"
                f" log {self.origin!r}",
                check="last_checkpoint",
            )
        return checkpoint

    def keep(self, note: str) -> Checkpoint:
        """Keep ``note``, a checkpoint whose transaction has committed, unless the file
        already holds a larger one.

        Returns:
            The checkpoint the file holds now.

        Raises:
            LastCheckpointError: The file cannot be read or written.
            LogIntegrityError: ``note``, or the file, is not a checkpoint of this log.
        """
        signed = self._parse(note)
        kept = self.read()
        if kept is not None and kept.size >= signed.size:
            return kept
        try:
            replace_private(self.path, note.encode())
        except OSError as error:
            raise LastCheckpointError(f"{self.path} cannot be written: {error}") from None
        return signed

    def check_extended(self, storage: LogStorage) -> None:
        """Check that the stored tree extends the kept checkpoint, as the integrator
        checks before it signs (``signing.check_kept``): `coordination integrity resolve`
        clears no alarm that the next signing would raise again.

        Raises:
            LastCheckpointError: The file cannot be read.
            LogIntegrityError: The file holds no checkpoint of this log, or the stored tree
                does not extend it.
            StorageCorruptError: A stored hash of the tree is missing.
        """
        kept = self.read()
        if kept is None:
            return
        size = storage.position().size
        root = tree_hash(size, storage.read_hashes)
        check_kept(kept, storage.latest_checkpoint(), size, root, storage.read_hashes)

    def adopt(self, note: str) -> Checkpoint:
        """Keep the database's latest checkpoint as the starting point of a node that has
        no file yet (its first start after an upgrade), and say so.

        This trusts the database as it is now (decision 34).
        """
        adopted = self.keep(note)
        log.warning(
            "no last signed checkpoint was kept in %s: the database's latest, of size %d,"
            " is taken as the starting point; from now on the node signs only trees that"
            " extend it",
            self.path,
            adopted.size,
        )
        return adopted
