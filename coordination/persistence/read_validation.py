"""Commands decided on cached streams, checked against the store when they are saved.

A command reads the streams it needs (an action, its group, the partnership), decides,
and saves its events. Reading a stream from the cache without asking the store for newer
events saves a round trip per stream, but the copy may be stale: another process may have
written the stream since. So the save states the version of every stream the command
read (`READ_VERSIONS`, a keyword the library passes through to the recorder), and the
recorder inserts the events only if none of those streams has moved past its stated
version, in the same transaction and under the same lock as the insert. Otherwise it
inserts nothing and raises `StaleRead`, and the command runs again on fresh reads
(`CommandRunner._run`).

The check is stronger than what it replaces: a stream read from the store before the
command and not saved by it (the group of a convenor's action) used to be current only
at the moment of the read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

#: The keyword `Application.save` passes to the recorder: stream id -> version read.
READ_VERSIONS = "read_versions"

ReadVersions = Mapping[UUID, int]


class StaleRead(IntegrityError):
    """A stream the command read has moved on since: nothing was inserted."""

    def __init__(self) -> None:
        super().__init__("a stream this command read was changed since it was read")


class ValidatesReads:
    """Marks a recorder that honours `READ_VERSIONS`; only then may commands read from the
    cache without asking the store (`CommandRunner.reads_from_cache`)."""

    @property
    def validates_reads(self) -> bool:
        """Whether, as configured, its inserts check the versions read."""
        return True


def ensure_follows_on(stored_events: Sequence[StoredEvent], read: ReadVersions | None) -> None:
    """Raise `StaleRead` unless every stream both read and written here gets its new
    events right after the version read. A copy changed since it was read (by an attempt
    that failed) would leave a gap in its stream, which no key violation catches."""
    if not read:
        return
    first: dict[UUID | str, int] = {}
    for event in stored_events:
        first.setdefault(event.originator_id, event.originator_version)
    if any(first[stream] != version + 1 for stream, version in read.items() if stream in first):
        raise StaleRead
