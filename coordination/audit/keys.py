"""The node's keys directory, and its Ed25519 signing key: created once, kept secret,
named by the origin.

The keys directory (``COORDINATION_KEYS_DIR``, else ``keys`` in the data directory) holds
what whoever can write the database must not hold: the log's and the tokens' signing keys,
the revoked tokens and the last checkpoint the node signed (decision 34), the verifier
keys of its earlier log keys and the integrity alarm's state (decision 35). It is the
node's own: 0700, its files 0600, and a directory others may enter is refused.

The log's key is a C2SP signer key line (``PRIVATE+KEY+<origin>+<key id>+<base64>``). It
comes from, in this order: ``COORDINATION_SIGNING_KEY`` (the line itself, e.g. from a
secret store), the file ``COORDINATION_SIGNING_KEY_FILE``, or ``log-signing.key`` in the
keys directory. Key files must not be readable by others (mode 0600), like SSH keys: the
one check of `private_files.read_secret` refuses this key and the token-signing key alike.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from coordination.private_files import (
    FILE_MODE,
    ExposedFileError,
    exposure,
    private_directory,
    read_secret,
)

from .note import NoteError, Signer, Verifier

if TYPE_CHECKING:
    from coordination.settings import Settings

log = logging.getLogger(__name__)

KEYS_DIR = "keys"
LOG_KEY_FILE = "log-signing.key"
#: Where the log's key was kept before decision 34: beside the database, in the data
#: directory. A node whose key is still there uses it there, and is told how to move it.
LEGACY_KEY_FILE = "signing.key"


class SigningKeyError(RuntimeError):
    """The signing key cannot be created or used; the message says why and what to do."""


def keys_dir(settings: Settings) -> Path:
    """The node's keys directory: ``COORDINATION_KEYS_DIR``, else ``keys`` in the data
    directory."""
    return settings.keys_dir if settings.keys_dir is not None else settings.data_dir / KEYS_DIR


def private_keys_dir(settings: Settings) -> Path:
    """The keys directory, created 0700 when missing.

    Raises:
        SigningKeyError: Others may enter it (the message names its mode and the fix).
    """
    directory = private_directory(keys_dir(settings))
    problem = exposure(directory, "the keys directory")
    if problem is not None:
        raise SigningKeyError(f"{problem}; until then the node does not use it")
    return directory


def _placed(settings: Settings) -> Path:
    configured = settings.signing_key_file
    return configured if configured is not None else keys_dir(settings) / LOG_KEY_FILE


def key_path(settings: Settings) -> Path:
    """The log's key file: the configured one, else ``log-signing.key`` in the keys
    directory, or ``signing.key`` in the data directory while the key is still there."""
    placed = _placed(settings)
    legacy = settings.data_dir / LEGACY_KEY_FILE
    if settings.signing_key_file is None and legacy.exists() and not placed.exists():
        return legacy
    return placed


def init_key(settings: Settings, *, force: bool = False) -> Path:
    """Create the node's signing key file (mode 0600), named by the origin.

    Args:
        settings: The node's settings (``origin``, the keys directory).
        force: Replace an existing key file. Checkpoints signed with the old key then
            no longer verify with the new one: partners must be told of the rotation.
            A key still at its old place (``signing.key`` in the data directory) is
            replaced by one in the keys directory, and removed.

    Returns:
        The path of the key file.

    Raises:
        SigningKeyError: The key file exists (without ``force``), or the key is given in
            ``COORDINATION_SIGNING_KEY`` so that no file would be used.
    """
    if settings.signing_key is not None:
        raise SigningKeyError(
            "the signing key is given in COORDINATION_SIGNING_KEY; a key file would not be used"
        )
    existing, path = key_path(settings), _placed(settings)
    if existing.exists() and not force:
        raise SigningKeyError(f"{existing} already exists; `keys init --force` replaces it")
    try:
        signer = Signer.generate(settings.origin)
    except NoteError as exc:
        raise SigningKeyError(f"the origin cannot name a key: {exc}") from exc
    private_directory(path.parent)
    # Written beside the target and renamed over it: a crash leaves the old key or the new.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.write(fd, f"{signer.skey()}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if force:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if another process created the key meanwhile
    except FileExistsError:
        raise SigningKeyError(f"{path} already exists; `keys init --force` replaces it") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    if force and existing != path:
        existing.unlink(missing_ok=True)  # the replaced key, left beside the database
    return path


def _read_key_file(path: Path) -> str:
    try:
        return read_secret(path).decode("utf-8")
    except FileNotFoundError:
        raise SigningKeyError(
            f"no signing key at {path}: run `coordination keys init` first"
        ) from None
    except ExposedFileError as error:
        raise SigningKeyError(f"the log's signing key {error}") from None
    except UnicodeDecodeError:
        raise SigningKeyError(f"{path} does not hold a signing key line") from None


def load_signer(settings: Settings) -> Signer:
    """The node's signer, from the environment secret or the key file.

    A key still at its old place is used there, with a warning saying how to move it.

    Raises:
        SigningKeyError: No key, a malformed key, a key readable by others, or a key whose
            name is not the node's origin.
    """
    secret = settings.signing_key
    path = key_path(settings)
    source = "COORDINATION_SIGNING_KEY" if secret is not None else str(path)
    line = secret.get_secret_value() if secret is not None else _read_key_file(path)
    try:
        signer = Signer.from_skey(line.strip())
    except NoteError as exc:
        raise SigningKeyError(f"the signing key in {source} is not valid: {exc}") from None
    if signer.name != settings.origin:
        raise SigningKeyError(
            f"the signing key in {source} is named {signer.name!r}, but this node's origin"
            f" is {settings.origin!r}"
        )
    if secret is None and path != _placed(settings):
        log.warning(
            "the log's signing key is still at %s, beside the database; it is used there,"
            " but belongs in the keys directory, apart from the database: `mv %s %s`",
            path,
            path,
            _placed(settings),
        )
    return signer


def show_key(settings: Settings) -> str:
    """The node's verifier key line, to give to partners and auditors."""
    return load_signer(settings).verifier.vkey


def load_or_create_signer(settings: Settings) -> Signer:
    """The node's signer; outside production, a missing key file is created first.

    A development node (``make run``) then needs no setup step; a production node without
    its key refuses to start, because a new key would not verify its old checkpoints.
    """
    missing = settings.signing_key is None and not key_path(settings).exists()
    if missing and settings.env != "production":
        init_key(settings)
    return load_signer(settings)


#: Verifier keys of the node's earlier log keys, one line each, in the keys directory:
#: the checkpoints signed before a rotation verify with them (the self-audit reads it).
EARLIER_KEYS_FILE = "earlier-log-keys"


def earlier_verifiers(directory: Path) -> list[Verifier]:
    """The verifier keys in ``directory``'s `EARLIER_KEYS_FILE` (none when there is none).

    Blank lines and lines starting with ``#`` are skipped.

    Raises:
        SigningKeyError: A line is not a verifier key line.
    """
    path = directory / EARLIER_KEYS_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    found = []
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.startswith("#"):
            try:
                found.append(Verifier.from_vkey(line.strip()))
            except NoteError as error:
                problem = f"{path}, line {number}: not a verifier key: {error}"
                raise SigningKeyError(problem) from None
    return found


def keep_earlier_key(settings: Settings) -> Path | None:
    """Before the log's key is replaced: add its verifier key to the keys directory's
    `EARLIER_KEYS_FILE`, so that the checkpoints it signed still verify for the node's
    self-audit.

    Returns:
        The file, or None when there is no key to keep (none yet, or one that cannot be
        read: its checkpoints will not verify, and the self-audit will say so).

    Raises:
        SigningKeyError: Others may enter the keys directory.
    """
    try:
        vkey = load_signer(settings).verifier.vkey
    except SigningKeyError:
        return None
    directory = private_keys_dir(settings)
    path = directory / EARLIER_KEYS_FILE
    kept = {v.vkey for v in earlier_verifiers(directory)}
    if vkey not in kept:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(fd, "a", encoding="utf-8") as file:
            file.write(f"{vkey}\n")
    return path
