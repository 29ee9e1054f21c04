"""C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): a log's signed tree head, free of I/O.

The checkpoint text is ``<origin>\\n<size>\\n<base64 root hash>\\n`` followed by optional
extension lines, and travels as the text of a signed note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ._encoding import b64decode_strict, b64encode
from .merkle import HASH_SIZE
from .note import Signer, Verifier, sign_note, verify_note

MAX_TREE_SIZE = (1 << 64) - 1
"""Other implementations keep tree sizes in 64 bits."""

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class CheckpointError(ValueError):
    """A checkpoint text or value is malformed, or is not the log expected."""


def _check_line(line: str, what: str) -> None:
    if not line:
        raise CheckpointError(f"{what} is empty")
    if any(c < " " for c in line):
        raise CheckpointError(f"{what} contains a newline or control character")


@dataclass(frozen=True)
class Checkpoint:
    """The head of a log: its origin, tree size and root hash, with opaque extension lines.

    Extension lines are kept verbatim because they are signed with the rest; the spec
    discourages them, and this log writes none.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size!r} is out of range")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash has {len(self.root_hash)} bytes, not {HASH_SIZE}")
        for line in self.extensions:
            _check_line(line, "extension line")

    def to_text(self) -> str:
        """The checkpoint text, each line ending in a newline."""
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint text strictly.

        Args:
            text: The note text: origin, decimal size (no leading zeros), base64 root
                hash of 32 bytes, then non-empty extension lines, each ending in a newline.

        Raises:
            CheckpointError: The text is not a well-formed checkpoint.
        """
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint does not end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint has fewer than three lines")
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size) or int(size) > MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {size!r} is not a decimal number without leading 0")
        try:
            root_hash = b64decode_strict(root)
        except ValueError as exc:
            raise CheckpointError(f"root hash: {exc}") from exc
        return cls(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, *signers: Signer) -> str:
    """The checkpoint as a note signed by ``signers`` (the log's key, then any others)."""
    return sign_note(checkpoint.to_text(), *signers)


def open_checkpoint(
    note: str | bytes,
    verifiers: Verifier | Iterable[Verifier],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Verify a signed checkpoint and parse it.

    Args:
        note: The signed note.
        verifiers: The log's key (or keys, during a rotation).
        origin: The origin the checkpoint must name, if given.

    Raises:
        NoteError: The note is malformed or not signed by a given key (see ``verify_note``).
        CheckpointError: The note text is not a checkpoint, or not of ``origin``.
    """
    checkpoint = Checkpoint.parse(verify_note(note, verifiers))
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is of {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
