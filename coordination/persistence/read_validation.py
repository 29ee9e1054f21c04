"""Commands decided on cached streams, checked against the store when they are saved.

A command reads the streams it needs (an action, its group, the partnership), decides,
and saves its events. Reading a stream from the cache without asking the store for newer
events saves a round trip per stream, but the copy may be stale: another process may have
written the stream since. So the save states the version of every stream the command
read (`READ_VERSIONS`, a keyword the library passes through to the recorder), and the
recorder inserts the events only if none of those streams has moved past its stated
version, in the same transaction and under the same lock as the insert. Otherwise it
inserts nothing and raises `StaleRead`, and the command runs again on fresh reads
(`Service._run`).

The check is stronger than what it replaces: a stream read from the store before the
command and not saved by it (the group of a convenor's action) used to be current only
at the moment of the read.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from eventsourcing.persistence import IntegrityError

#: The keyword `Application.save` passes to the recorder: stream id -> version read.
READ_VERSIONS = "read_versions"

ReadVersions = Mapping[UUID, int]


class StaleRead(IntegrityError):
    """A stream the command read has moved on since: nothing was inserted."""


class ValidatesReads:
    """Marks a recorder that honours `READ_VERSIONS`; only then may commands read from the
    cache without asking the store (`Service.reads_from_cache`)."""
