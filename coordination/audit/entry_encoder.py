"""Stored events to log entries, fast: the integrator's hot path.

The reference is ``encode_entry(mapper.to_domain_event(stored))``, which builds UUID,
datetime and event objects only to turn them straight back into text. Where nothing can
differ, this encoder reads the stored JSON directly and maps the library's transcoded
values (``uuid_hex``, ``datetime_iso``, ``date_iso``) to their envelope text. Anything
else (a cipher or compressor on the mapper, an event to upcast, a transcoding it does
not know) takes the reference path, and a test holds both paths to the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Notification,
    UUIDAsHex,
)
from eventsourcing.utils import resolve_topic

from coordination.persistence.transcodings import DateAsISO

from .canonical import MAX_SAFE_INTEGER, canonical_json, dumps_plain
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
from .storage import LogEntry


class _Fallback(Exception):
    """This stored event must take the reference path."""


def _uuid_text(hex_text: str) -> str:
    h = hex_text.lower()
    if len(h) != 32:
        raise _Fallback
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
        """The event type, data fields and class version of a stored topic."""
        known = self._classes.get(topic)
        if known is None:
            cls = resolve_topic(topic)
            known = (event_type(cls), data_fields(cls), getattr(cls, "class_version", 1))
            self._classes[topic] = known
        return known

    def encode(self, notification: Notification, index: int) -> tuple[bytes, dict[str, Any]]:
        """The entry bytes of a stored event at ``index``, and its envelope."""
        if self._direct:
            try:
                envelope = self._direct_envelope(notification, index)
            except (_Fallback, KeyError, TypeError, ValueError):
                pass
            else:
                return dumps_plain(envelope), envelope
        event = self._mapper.to_domain_event(notification)
        envelope = build_envelope(event, index=index, origin=self.origin)
        return canonical_json(envelope), envelope

    def entries(self, notifications: Sequence[Notification], first: int) -> list[LogEntry]:
        """The log entries of stored events, the first at index ``first``."""
        entries = []
        for index, notification in enumerate(notifications, first):
            entry, envelope = self.encode(notification, index)
            entries.append(
                LogEntry(
                    index=index,
                    notification_id=notification.id,
                    event_id=envelope["id"],
                    stream_id=envelope["subject"],
                    stream_version=notification.originator_version,
                    type=envelope["type"],
                    audience=envelope["audience"],
                    leaf_hash=leaf_hash(entry),
                    entry=entry,
                )
            )
        return entries

    def _value(self, value: Any) -> Any:
        """A stored value as envelope JSON; _Fallback unless ``is_plain`` would hold."""
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
            return {k: self._value(v) for k, v in value.items()}
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

    def _direct_envelope(self, notification: Notification, index: int) -> dict[str, Any]:
        kind, fields, version = self._event_class(notification.topic)
        state = orjson.loads(notification.state)
        if state.get("class_version", 1) != version:
            raise _Fallback  # the reference path upcasts
        text = self._text
        envelope = {
            "specversion": SPEC_VERSION,
            "id": text(state["event_id"]),
            "source": self.origin,
            "type": kind,
            "subject": str(notification.originator_id),
            "time": text(state["occurred_at"]),
            "datacontenttype": DATA_CONTENT_TYPE,
            "data": {name: self._value(state[name]) for name in fields},
            "sequence": sequence(index),
            "streamversion": notification.originator_version,
            "recordedtime": text(state["timestamp"]),
            "actor": text(state["actor"]),
            "correlationid": text(state["correlation_id"]),
            "causationid": text(state["causation_id"]),
            "audience": text(state["audience"]),
        }
        if state["acting_for"] is not None:
            envelope["actingfor"] = text(state["acting_for"])
        return envelope
