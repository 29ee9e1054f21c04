"""The projector's pages from the verified log, then from the event table beyond it.

Up to the entry the latest checkpoint signs (the ``boundary``: that entry's notification
id), the views are fed the events of the verified log, read back from their entries
(``envelope_decode``) rather than from their stored state; beyond it, the event table as
always (that tail is what the integrator signs next, and what the self-audit checks as
it is integrated). Positions stay notification ids, so a view built so goes on from
the event table like any other. An ``EventReader`` (``persistence.event_log``).

The verified entries are read in log order, once through; a read that asks for an
earlier position starts again from the first entry.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import Notification

from coordination.persistence.event_log import DecodedNotification, EventLog
from coordination.persistence.readdb import Handle

from .envelope_decode import EntryDecodeError, EntryDecoder
from .verified import LogChanged, VerifiedEntry, VerifiedLog


class VerifiedThenTable:
    """Reads the verified log up to ``boundary``, the event table beyond it.

    Args:
        verified: The node's log, verified (its entries carry their notification ids).
        boundary: The notification id of the last entry the verified log covers (0 when
            it covers none).
        table: The event table, for what lies beyond.
        omit: Event fields the projector never reads (``UNREAD_METADATA``), left out.
    """

    def __init__(
        self,
        verified: VerifiedLog,
        boundary: int,
        table: EventLog,
        *,
        omit: frozenset[str] = frozenset(),
    ) -> None:
        self.verified, self.boundary, self.table = verified, boundary, table
        self._decoder = EntryDecoder(omit=omit)
        self._lock = threading.Lock()
        self._entries: Iterator[VerifiedEntry] | None = None
        self._next: VerifiedEntry | None = None
        self._cursor = 0

    async def head(self, handle: Handle) -> int:
        return max(await self.table.head(handle), self.boundary)

    async def read(
        self,
        handle: Handle,
        after: int,
        limit: int,
        *,
        until: int | None = None,
        topics: Sequence[str] = (),
    ) -> list[Notification]:
        notes: list[Notification] = []
        if after < self.boundary:
            stop = self.boundary if until is None else min(until, self.boundary)
            wanted = frozenset(topics)
            notes = await asyncio.to_thread(self._verified, after, limit, stop, wanted)
            if len(notes) == limit or stop < self.boundary:
                return notes
            after = self.boundary
        rest = await self.table.read(handle, after, limit - len(notes), until=until, topics=topics)
        return notes + rest

    async def read_ids(self, handle: Handle, ids: Sequence[int]) -> list[Notification]:
        return await self.table.read_ids(handle, ids)

    def _verified(
        self, after: int, limit: int, stop: int, topics: frozenset[str]
    ) -> list[Notification]:
        """Up to ``limit`` events of the verified log with ids in (``after``, ``stop``]."""
        with self._lock:  # a read dropped ahead may still run in its thread
            self._seek(after)
            notes: list[Notification] = []
            while len(notes) < limit:
                entry = self._peek()
                if entry is None or self._id(entry) > stop:
                    break
                self._next, self._cursor = None, self._id(entry)
                note = self._note(entry, topics)
                if note is not None:
                    notes.append(note)
            return notes

    def _seek(self, after: int) -> None:
        if after < self._cursor:
            self._entries, self._next, self._cursor = None, None, 0
        while (entry := self._peek()) is not None and self._id(entry) <= after:
            self._next, self._cursor = None, self._id(entry)

    def _peek(self) -> VerifiedEntry | None:
        if self._next is None:
            if self._entries is None:
                self._entries = (entry for page in self.verified.pages() for entry in page)
            self._next = next(self._entries, None)
        return self._next

    @staticmethod
    def _id(entry: VerifiedEntry) -> int:
        if entry.notification_id is None:
            raise LogChanged(f"entry {entry.index} has no notification id in the node's log")
        return entry.notification_id

    def _note(self, entry: VerifiedEntry, topics: frozenset[str]) -> Notification | None:
        known = self._decoder.topic(entry.envelope)
        if topics and known is not None and known not in topics:
            return None  # not read, so not decoded (command records, above all)
        try:
            topic, event = self._decoder.decode(entry.envelope)
        except EntryDecodeError as exc:
            raise EntryDecodeError(f"entry {entry.index} cannot be read back: {exc}") from None
        if topics and topic not in topics:
            return None
        stream: UUID = event.originator_id
        version: int = event.originator_version
        return DecodedNotification(
            id=self._id(entry),
            originator_id=stream,
            originator_version=version,
            topic=topic,
            state=b"",
            event=event,
        )
