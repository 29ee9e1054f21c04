"""Stored events to log entries, fast: the integrator's hot path.

The reference is ``encode_entry(mapper.to_domain_event(stored))``, which builds UUID,
datetime and event objects only to turn them straight back into text. Where nothing can
differ, the direct path (``direct_encoder``) reads the stored JSON itself. Anything else
(a cipher or compressor on the mapper, an event to upcast, a transcoding it does not
know, a stream id not in canonical form) takes the reference path, and a test holds both
paths to the same bytes. It reads plain rows of the event table (``EventRow``), not the
library's ``Notification`` objects, whose UUIDs it would only turn back into text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    Mapper,
    Notification,
    StoredEvent,
)

from coordination.persistence.transcodings import plain_transcodings

from .canonical import canonical_json
from .direct_encoder import CONVERTERS, DirectEncoder, EncodedRow, encoded_row
from .envelope import build_envelope
from .storage import EventRow, LogEntry


def _notification(row: EventRow) -> Notification:
    """The library's view of a row, for the reference path (stream ids are UUIDs here)."""
    notification_id, stream_id, version, topic, state = row
    return Notification(
        id=notification_id,
        originator_id=UUID(stream_id),
        originator_version=version,
        topic=topic,
        state=bytes(state),
    )


class EntryEncoder:
    """Encodes stored events as the envelope bytes of the log entries they become.

    Args:
        mapper: The application's mapper (its transcoder, cipher and compressor).
        origin: The log's origin.
    """

    def __init__(self, mapper: Mapper[Any], origin: str) -> None:
        self._mapper, self.origin = mapper, origin
        # Every transcoding the direct path converts must be stored in its known form.
        self.direct = set(CONVERTERS) <= plain_transcodings(mapper)
        """Whether the direct path applies (else every row takes the reference path)."""
        self._direct = DirectEncoder(origin) if self.direct else None

    def encode(self, stored: StoredEvent, index: int) -> tuple[bytes, dict[str, Any]]:
        """The entry bytes of a stored event at ``index``, and its envelope."""
        # The notification id plays no part in the bytes.
        row = (0, str(stored.originator_id), stored.originator_version, stored.topic, stored.state)
        if self._direct is not None and (done := self._direct.encode(row, index)) is not None:
            return done
        return self._reference(stored, index)

    def _reference(
        self, stored: StoredEvent | Notification, index: int
    ) -> tuple[bytes, dict[str, Any]]:
        event = self._mapper.to_domain_event(stored)
        envelope = build_envelope(event, index=index, origin=self.origin)
        return canonical_json(envelope), envelope

    def _reference_row(self, row: EventRow, index: int) -> EncodedRow:
        return encoded_row(*self._reference(_notification(row), index))

    def entries(self, rows: Sequence[EventRow], first: int) -> list[LogEntry]:
        """The log entries of rows of the event table, the first at index ``first``."""
        if self._direct is None:
            return self.assemble(rows, first, [None] * len(rows))
        return self.assemble(rows, first, self._direct.encode_rows(rows, first))

    def assemble(
        self, rows: Sequence[EventRow], first: int, encoded: Sequence[EncodedRow | None]
    ) -> list[LogEntry]:
        """The log entries of ``rows`` from their direct encodings (``DirectEncoder.
        encode_rows``, here or in a worker), taking the reference path where one is None."""
        if len(encoded) != len(rows):
            raise ValueError(f"{len(encoded)} encodings for {len(rows)} rows")
        entries = []
        for index, row, direct in zip(range(first, first + len(rows)), rows, encoded, strict=True):
            done = direct or self._reference_row(row, index)
            entry, leaf, event_id, subject, kind, audience = done
            entries.append(
                LogEntry(index, row[0], event_id, subject, row[2], kind, audience, leaf, entry)
            )
        return entries
