"""Stored events to log entries, fast: the integrator's hot path.

The reference is ``encode_entry(mapper.to_domain_event(stored))``, which builds UUID,
datetime and event objects only to turn them straight back into text. Where nothing can
differ, this encoder reads the stored JSON directly and maps the library's transcoded
values (``uuid_hex``, ``datetime_iso``, ``date_iso``) to their envelope text. Anything
else (a cipher or compressor on the mapper, an event to upcast, a transcoding it does
not know, a stream id not in canonical form) takes the reference path, and a test holds
both paths to the same bytes. It reads plain rows of the event table (``EventRow``), not
the library's ``Notification`` objects, whose UUIDs it would only turn back into text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.utils import resolve_topic

from coordination.persistence.transcodings import DateAsISO

from .canonical import MAX_SAFE_INTEGER, canonical_json, dumps_ordered
from .envelope import (
    DATA_CONTENT_TYPE,
    SPEC_VERSION,
    build_envelope,
    data_fields,
    event_type,
    rfc3339,
    sequence,
)
from .merkle import leaf_hash
from .storage import EventRow, LogEntry


class _Fallback(Exception):
    """This stored event must take the reference path."""


def _uuid_text(hex_text: str) -> str:
    h = hex_text.lower()
    if len(h) != 32:
        raise _Fallback
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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


def _time_text(iso_text: str) -> str:
    if iso_text.endswith("+00:00"):
        return iso_text[:-6] + "Z"
    return rfc3339(datetime.fromisoformat(iso_text))


def _date_text(iso_text: str) -> str:
    return iso_text


_DIRECT = {
    (UUIDAsHex, "uuid_hex"): _uuid_text,
    (DatetimeAsISO, "datetime_iso"): _time_text,
    (DateAsISO, "date_iso"): _date_text,
}


class EntryEncoder:
    """Encodes stored events as the envelope bytes of the log entries they become.

    Args:
        mapper: The application's mapper (its transcoder, cipher and compressor).
        origin: The log's origin.
    """

    def __init__(self, mapper: Mapper[Any], origin: str) -> None:
        self._mapper, self.origin = mapper, origin
        transcoder = mapper.transcoder
        self._converters: dict[str, Any] = {}
        if isinstance(transcoder, JSONTranscoder) and not (mapper.cipher or mapper.compressor):
            for (kind, name), convert in _DIRECT.items():
                if type(transcoder.names.get(name)) is kind:
                    self._converters[name] = convert
        self._direct = len(self._converters) == len(_DIRECT)
        self._classes: dict[str, tuple[str, tuple[str, ...], int]] = {}

    def _event_class(self, topic: str) -> tuple[str, tuple[str, ...], int]:
        """The event type, data fields (in JCS order) and class version of a stored topic."""
        known = self._classes.get(topic)
        if known is None:
            cls = resolve_topic(topic)
            # JCS orders keys by their UTF-16 code units.
            fields = tuple(sorted(data_fields(cls), key=lambda name: name.encode("utf-16-be")))
            known = (event_type(cls), fields, getattr(cls, "class_version", 1))
            self._classes[topic] = known
        return known

    def encode(self, stored: StoredEvent, index: int) -> tuple[bytes, dict[str, Any]]:
        """The entry bytes of a stored event at ``index``, and its envelope."""
        # The notification id plays no part in the bytes.
        row = (0, str(stored.originator_id), stored.originator_version, stored.topic, stored.state)
        return self._encode(row, index, stored)

    def _encode(
        self, row: EventRow, index: int, stored: StoredEvent | None = None
    ) -> tuple[bytes, dict[str, Any]]:
        if self._direct:
            try:
                envelope = self._direct_envelope(row, index)
            except (_Fallback, KeyError, TypeError, ValueError):
                pass
            else:
                return dumps_ordered(envelope), envelope
        event = self._mapper.to_domain_event(stored or _notification(row))
        envelope = build_envelope(event, index=index, origin=self.origin)
        return canonical_json(envelope), envelope

    def entries(self, rows: Sequence[EventRow], first: int) -> list[LogEntry]:
        """The log entries of rows of the event table, the first at index ``first``."""
        encode = self._encode
        entries = []
        for index, row in enumerate(rows, first):
            entry, envelope = encode(row, index)
            entries.append(
                LogEntry(
                    index,
                    row[0],
                    envelope["id"],
                    envelope["subject"],
                    row[2],
                    envelope["type"],
                    envelope["audience"],
                    leaf_hash(entry),
                    entry,
                )
            )
        return entries

    def _value(self, value: Any) -> Any:
        """A stored value as envelope JSON, objects with their keys in JCS order (code point
        order, which is UTF-16 order for the keys let through); _Fallback unless
        ``is_plain`` would hold."""
        kind = type(value)
        if kind is str or kind is bool or value is None:
            return value
        if kind is int:
            if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                return value
            raise _Fallback
        if kind is list:
            return [self._value(item) for item in value]
        if kind is dict:
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                convert = self._converters.get(value["_type_"])
                if convert is None or type(value["_data_"]) is not str:
                    raise _Fallback
                return convert(value["_data_"])
            if not all(type(k) is str and (k.isascii() or max(k) < "\ud800") for k in value):
                raise _Fallback
            return {k: self._value(value[k]) for k in sorted(value)}
        raise _Fallback  # floats and anything else: the reference path decides

    def _text(self, value: Any) -> str:
        """A metadata value as text: plain text, or a transcoded id or moment."""
        if type(value) is str:
            return value
        if type(value) is dict and len(value) == 2:
            convert = self._converters.get(value.get("_type_"))  # type: ignore[arg-type]
            data = value.get("_data_")
            if convert is not None and type(data) is str:
                return convert(data)  # type: ignore[no-any-return]
        raise _Fallback

    def _direct_envelope(self, row: EventRow, index: int) -> dict[str, Any]:
        _, stream_id, stream_version, topic, stored = row
        # SQLite keeps stream ids as 32 hex digits, PostgreSQL gives its canonical text.
        if len(stream_id) == 32:
            subject = _uuid_text(stream_id)
        elif len(stream_id) == 36 and stream_id.lower() == stream_id:
            subject = stream_id
        else:
            raise _Fallback  # the reference path decides what UUID text it is
        kind, fields, version = self._event_class(topic)
        state = orjson.loads(stored)
        if state.get("class_version", 1) != version:
            raise _Fallback  # the reference path upcasts
        text, value = self._text, self._value
        data = {}
        for name in fields:
            item = state[name]
            # Text is by far the most common field value: no call for it.
            data[name] = item if type(item) is str else value(item)
        # Keys in JCS order, so that orjson need not sort them.
        envelope = {
            "actor": text(state["actor"]),
            "audience": text(state["audience"]),
            "causationid": text(state["causation_id"]),
            "correlationid": text(state["correlation_id"]),
            "data": data,
            "datacontenttype": DATA_CONTENT_TYPE,
            "id": text(state["event_id"]),
            "recordedtime": text(state["timestamp"]),
            "sequence": sequence(index),
            "source": self.origin,
            "specversion": SPEC_VERSION,
            "streamversion": stream_version,
            "subject": subject,
            "time": text(state["occurred_at"]),
            "type": kind,
        }
        acting_for = state["acting_for"]
        if acting_for is not None:
            return {"actingfor": text(acting_for), **envelope}
        return envelope
