"""The node's own files: readable and writable by their owner only, whatever the umask.

The data directory holds personal data (the event store and its views) and secrets (the
keys), so the node creates it, and every directory in it, 0700 and every file 0600.

The mode is given where each file is made rather than by narrowing the process's umask:
an umask only ever takes bits away, so a mode given at creation holds under any umask;
the umask, by contrast, is one setting for the whole process (every thread, and every file
it writes, an export meant for others included), and an app that another program builds
(the tests, an embedding server) would not get it. SQLite creates a database's ``-wal``
and ``-shm`` files with the database file's own mode, so `private_file` makes the
database file, 0600, before SQLite opens it (decision 24).
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
#: The bits that let the group or others read, write or enter.
_SHARED = 0o077


class ExposedFileError(Exception):
    """A secret file that others may read or write; the message names it, its mode and
    the fix."""


def private_directory(path: Path) -> Path:
    """`path` as a directory, it and its missing parents created 0700.

    A directory that exists is left as it is: its owner may have widened it on purpose
    (`exposure` says so where it matters).
    """
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(DIRECTORY_MODE)
            directory.chmod(DIRECTORY_MODE)  # exactly 0700, even under an umask like 0277
    return path


def private_file(path: Path) -> Path:
    """`path`, created empty (0600, in a private directory) when missing; an existing file
    is neither changed nor truncated."""
    private_directory(path.parent)
    if not path.exists():
        # Never opened when it exists: closing any descriptor of a file drops every POSIX
        # lock this process holds on it, an SQLite database's among them, and another
        # process closing its last connection then takes itself for the last and deletes
        # the -wal and -shm files under this one's connections.
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT, FILE_MODE))
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (created 0600 when missing, truncated when not)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def replace_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` at once (0600): a reader, or a crash at any moment, sees
    the old contents or the new, never a part.

    The bytes are written to a file beside it, flushed to the disk, renamed over it, and
    the rename itself flushed with its directory.

    Raises:
        OSError: The file cannot be written.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def read_secret(path: Path) -> bytes:
    """The bytes of a key file, refused when the group or others may read or write it.

    The mode is read from the opened file, so the file checked is the file read.

    Raises:
        FileNotFoundError: There is no such file.
        ExposedFileError: The group or others may read or write it.
    """
    with path.open("rb") as file:
        mode = stat.S_IMODE(os.fstat(file.fileno()).st_mode)
        if mode & _SHARED:
            raise ExposedFileError(
                f"{path} may be read or written by others (mode {mode:04o}), so it is not"
                f" used: make it private with `chmod 600 {path}`"
            )
        return file.read()


def exposure(directory: Path, what: str = "the data directory") -> str | None:
    """Why `directory` lets others in (its mode and the fix), or None when it does not.

    Args:
        directory: The directory to look at.
        what: What the message calls it.
    """
    try:
        mode = stat.S_IMODE(directory.stat().st_mode)
    except FileNotFoundError:
        return None
    if not mode & _SHARED:
        return None
    return (
        f"{what} {directory} may be read by others (mode {mode:04o}): make it"
        f" private with `chmod 700 {directory}`"
    )
