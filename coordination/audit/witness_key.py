"""The node's witness key (FEED-PROTOCOL §7): an Ed25519 key of its own, never the log's,
kept in the keys directory as ``witness-signing.key`` (mode 0600) and made by
``coordination keys init`` or on first need.

A cosignature and a checkpoint signature must not be made with one key: the witness key
signs for the node's partners' logs, the log key for its own, and either may be rotated
without the other.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from coordination.private_files import FILE_MODE, ExposedFileError, read_secret

from .cosignature import Cosigner
from .keys import SigningKeyError, private_keys_dir
from .note import NoteError

if TYPE_CHECKING:
    from coordination.settings import Settings

WITNESS_KEY_FILE = "witness-signing.key"


def witness_name(settings: Settings) -> str:
    """The witness's key name: the node's origin followed by ``/witness``."""
    return f"{settings.origin}/witness"


def _create(path: Path, name: str) -> None:
    cosigner = Cosigner.generate(name)
    # Written beside the file and linked to its name: a racing process either wins or
    # reads the winner's whole key, never half of one.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.write(fd, f"{cosigner.skey()}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def init_witness_key(settings: Settings) -> tuple[Path, bool]:
    """Create the witness key unless there is one.

    Returns:
        Its path, and whether this call made it.

    Raises:
        SigningKeyError: Others may enter the keys directory.
    """
    path = private_keys_dir(settings) / WITNESS_KEY_FILE
    if path.exists():
        return path, False
    _create(path, witness_name(settings))
    return path, True


def load_witness_key(settings: Settings) -> Cosigner:
    """The node's witness key, created first when there is none.

    Raises:
        SigningKeyError: The key file is readable by others, malformed, or named for
            another origin.
    """
    path, _ = init_witness_key(settings)
    try:
        line = read_secret(path).decode("utf-8").strip()
    except ExposedFileError as error:
        raise SigningKeyError(f"the witness key {error}") from None
    except UnicodeDecodeError:
        raise SigningKeyError(f"{path} does not hold a witness key line") from None
    try:
        cosigner = Cosigner.from_skey(line)
    except NoteError as exc:
        raise SigningKeyError(f"the witness key in {path} is not valid: {exc}") from None
    if cosigner.name != witness_name(settings):
        raise SigningKeyError(
            f"the witness key in {path} is named {cosigner.name!r}, not"
            f" {witness_name(settings)!r} as this node's origin asks"
        )
    return cosigner
