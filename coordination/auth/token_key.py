"""The node's token-signing key: a file in its keys directory, made only on purpose.

`coordination keys init`, `coordination migrate` and a starting node create it (and say
so); everything else only reads it. `tokens issue` once created a key wherever it was
run, and printed a token signed with it that the node then refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coordination.private_files import (
    FILE_MODE,
    ExposedFileError,
    private_directory,
    read_secret,
)

KEY_FILE = "token-signing.pem"


class TokenKeyError(Exception):
    """The token-signing key is missing or cannot be used; the message says why and what
    to do."""


def token_key_path(keys_dir: Path) -> Path:
    """Where the node whose keys directory is `keys_dir` keeps its token-signing key."""
    return keys_dir / KEY_FILE


def create_token_key(keys_dir: Path) -> bool:
    """Create the token-signing key (0600, in a 0700 directory) unless there is one.

    Returns:
        Whether this call made it.
    """
    path = token_key_path(keys_dir)
    if path.exists():
        return False
    private_directory(path.parent)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: when two processes race to create the key, one wins and the other reads
    # the winner's key instead of overwriting it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return True


def read_token_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The token-signing key kept in `keys_dir`.

    Raises:
        TokenKeyError: There is none (the message says where it looked and how to make
            one), others may read or write it, or it is not an Ed25519 key.
    """
    path = token_key_path(keys_dir)
    try:
        pem = read_secret(path)
    except FileNotFoundError:
        raise TokenKeyError(_missing(keys_dir, path)) from None
    except ExposedFileError as error:
        raise TokenKeyError(f"the token-signing key {error}") from None
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except ValueError:
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise TokenKeyError(f"{path} does not hold an Ed25519 private key")
    return private


def _missing(keys_dir: Path, path: Path) -> str:
    relative = "" if keys_dir.is_absolute() else ", relative to the working directory"
    return (
        f"there is no token-signing key at {path.absolute()}: set COORDINATION_DATA_DIR to"
        " the node's data directory, or COORDINATION_KEYS_DIR to its keys directory (the"
        f" keys directory is {keys_dir}{relative}), or create the key with"
        " `coordination keys init` (a node also creates it when it starts)"
    )
