"""The integrator's direct path: rows of the event table to entry bytes, without events.

It reads the stored JSON directly and maps the library's transcoded values (``uuid_hex``,
``datetime_iso``, ``date_iso``) to their envelope text. It needs only the log's origin,
so a worker process can build one (``encoding_pool``). A row it cannot write with
certainty (an event to upcast, a transcoding it does not know, a float, a stream id not
in canonical form) comes back as None, and ``EntryEncoder`` takes the reference path
for it; a test holds both paths to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
from eventsourcing.utils import resolve_topic

from .canonical import MAX_SAFE_INTEGER, dumps_ordered
from .envelope import DATA_CONTENT_TYPE, SPEC_VERSION, data_fields, event_type, rfc3339, sequence
from .merkle import leaf_hash
from .storage import EventRow

EncodedRow = tuple[bytes, bytes, str, str, str, str]
"""A row written directly: entry bytes, leaf hash, event id, subject, type and audience."""


def encoded_row(entry: bytes, envelope: dict[str, Any]) -> EncodedRow:
    """An entry's bytes, its leaf hash and the envelope fields the log stores beside it."""
    return (
        entry,
        leaf_hash(entry),
        envelope["id"],
        envelope["subject"],
        envelope["type"],
        envelope["audience"],
    )


class Fallback(Exception):
    """This stored event must take the reference path."""


def _uuid_text(hex_text: str) -> str:
    h = hex_text.lower()
    if len(h) != 32:
        raise Fallback
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _time_text(iso_text: str) -> str:
    if iso_text.endswith("+00:00"):
        return iso_text[:-6] + "Z"
    return rfc3339(datetime.fromisoformat(iso_text))


def _date_text(iso_text: str) -> str:
    return iso_text


CONVERTERS: dict[str, Callable[[str], str]] = {
    "uuid_hex": _uuid_text,
    "datetime_iso": _time_text,
    "date_iso": _date_text,
}
"""Envelope text of the library's transcoded values, by transcoding name."""


class DirectEncoder:
    """Writes rows of the event table as entries, where it can do so with certainty.

    Args:
        origin: The log's origin.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._converters = CONVERTERS
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

    def encode(self, row: EventRow, index: int) -> tuple[bytes, dict[str, Any]] | None:
        """The entry bytes of ``row`` at ``index`` and its envelope; None for the
        reference path."""
        try:
            envelope = self.envelope(row, index)
        except (Fallback, KeyError, TypeError, ValueError):
            return None
        return dumps_ordered(envelope), envelope

    def encode_rows(self, rows: Sequence[EventRow], first: int) -> list[EncodedRow | None]:
        """The entries of ``rows``, the first at index ``first``; None where a row must
        take the reference path. Plain values only, so that they cross processes cheaply."""
        encode = self.encode
        encoded: list[EncodedRow | None] = []
        for index, row in enumerate(rows, first):
            done = encode(row, index)
            if done is None:
                encoded.append(None)
                continue
            encoded.append(encoded_row(*done))
        return encoded

    def _value(self, value: Any) -> Any:
        """A stored value as envelope JSON, objects with their keys in JCS order (code point
        order, which is UTF-16 order for the keys let through); Fallback unless
        ``is_plain`` would hold."""
        kind = type(value)
        if kind is str or kind is bool or value is None:
            return value
        if kind is int:
            if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                return value
            raise Fallback
        if kind is list:
            return [self._value(item) for item in value]
        if kind is dict:
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                convert = self._converters.get(value["_type_"])
                if convert is None or type(value["_data_"]) is not str:
                    raise Fallback
                return convert(value["_data_"])
            if not all(type(k) is str and (k.isascii() or max(k) < "\ud800") for k in value):
                raise Fallback
            return {k: self._value(value[k]) for k in sorted(value)}
        raise Fallback  # floats and anything else: the reference path decides

    def _text(self, value: Any) -> str:
        """A metadata value as text: plain text, or a transcoded id or moment."""
        if type(value) is str:
            return value
        if type(value) is dict and len(value) == 2:
            convert = self._converters.get(value.get("_type_"))  # type: ignore[arg-type]
            data = value.get("_data_")
            if convert is not None and type(data) is str:
                return convert(data)
        raise Fallback

    def envelope(self, row: EventRow, index: int) -> dict[str, Any]:
        """The envelope of ``row`` at ``index``, keys in JCS order.

        Raises:
            Fallback: (or KeyError, TypeError, ValueError) The row takes the reference path.
        """
        _, stream_id, stream_version, topic, stored = row
        # SQLite keeps stream ids as 32 hex digits, PostgreSQL gives its canonical text.
        if len(stream_id) == 32:
            subject = _uuid_text(stream_id)
        elif len(stream_id) == 36 and stream_id.lower() == stream_id:
            subject = stream_id
        else:
            raise Fallback  # the reference path decides what UUID text it is
        kind, fields, version = self._event_class(topic)
        state = orjson.loads(stored)
        if state.get("class_version", 1) != version:
            raise Fallback  # the reference path upcasts
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
