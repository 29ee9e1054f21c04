"""Revoked tokens: the ids (`jti`) of tokens the node no longer accepts.

The list is a small JSON file in the keys directory (`revoked-tokens.json`), not a
table, because tokens belong with the signing key that lives there: `tokens issue` and
`tokens revoke` need no database (they work while it is down or unmigrated), and a
process that only checks tokens reads the list without a connection. The file stays
small: one entry per revoked token, dropped once no token it names can still be valid
(the longest lifetime after its revocation).

Writers take an exclusive lock on a lock file beside it, so two revocations at once are
both kept, and replace the file atomically (a temporary file, fsync, `os.replace`), so
a reader never sees half a list. Readers look at the file's identity (inode, size,
modification time) on every check, a single `stat`, and read it again only when that
changes: a revocation made from the command line while the server runs is refused from
the next request on, without a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from coordination.auth.tokens import LEEWAY, MAX_TTL, TokenError
from coordination.private_files import private_directory, replace_private

FILE = "revoked-tokens.json"
_FORMAT = 1

Identity = tuple[int, int, int]


class RevocationList:
    """The node's revoked token ids, kept in its keys directory.

    Args:
        keys_dir: The node's keys directory.
    """

    def __init__(self, keys_dir: Path) -> None:
        self.path = keys_dir / FILE
        self._identity: Identity | None = None
        self._revoked: dict[str, datetime] = {}

    def is_revoked(self, token_id: str) -> bool:
        """Whether the token with this id is revoked, as the file says now."""
        self._refresh()
        return token_id in self._revoked

    def revoked(self) -> frozenset[str]:
        """Every revoked token id still listed."""
        self._refresh()
        return frozenset(self._revoked)

    def revoke(self, token_id: UUID, now: datetime | None = None) -> bool:
        """Add a token id to the list; False when it was already there.

        Raises:
            TokenError: The list cannot be read or written (the message says which file).
        """
        at = now or datetime.now(UTC)
        private_directory(self.path.parent)
        with self._locked():
            entries = self._read()
            known = str(token_id) in entries
            # Past the longest lifetime no token of that id can still be accepted.
            entries = {jti: when for jti, when in entries.items() if at - when <= MAX_TTL + LEEWAY}
            entries.setdefault(str(token_id), at)
            self._write(entries)
        self._identity = None
        return not known

    def _refresh(self) -> None:
        identity = self._stat()
        if identity != self._identity:
            self._revoked = self._read() if identity is not None else {}
            self._identity = identity

    def _stat(self) -> Identity | None:
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return None
        return found.st_ino, found.st_size, found.st_mtime_ns

    def _read(self) -> dict[str, datetime]:
        try:
            raw = json.loads(self.path.read_bytes())
            if raw.get("format") != _FORMAT:
                raise ValueError("unknown format")
            return {str(k): datetime.fromisoformat(v) for k, v in raw["revoked"].items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            # Accepting every token because the list is unreadable would undo revocations.
            raise TokenError(
                f"the node's list of revoked tokens ({FILE} in its keys directory) cannot"
                " be read, so no token is accepted until it is repaired"
            ) from None

    def _write(self, entries: dict[str, datetime]) -> None:
        body = {"format": _FORMAT, "revoked": {k: v.isoformat() for k, v in entries.items()}}
        replace_private(self.path, json.dumps(body, indent=1, sort_keys=True).encode())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
