"""Stored events to domain events, fast, where the result cannot differ from the library's.

The library's mapper decodes the stored JSON with a hook called on every object, and
builds each UUID through its checking constructor: much of a catch-up's CPU time went
there (docs/performance.md). Where nothing can differ (the mapper has the library's JSON
transcoder and no cipher or compressor), `EventDecoder` parses the stored JSON with
orjson and maps the transcoded values it knows (``uuid_hex``, ``datetime_iso``,
``date_iso``, ``decimal_str``) itself, then builds the event exactly as the mapper does.
Anything else (a transcoding it does not know, an event to upcast, JSON orjson refuses
such as huge integers or lone surrogates) takes the mapper's own path, and a test holds
both paths to equal events over a whole synthetic log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.persistence import (
    Mapper,
    Notification,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from coordination.persistence.event_log import DecodedNotification
from coordination.persistence.transcodings import plain_transcodings

_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


class _Fallback(Exception):
    """This stored event must take the mapper's path."""


def _uuid(data: Any) -> UUID:
    # What UUID(data) does for the 32 hex digits UUIDAsHex writes (int(data, 16) on the
    # same text), without its parsing of other spellings; those go through UUID itself.
    if type(data) is not str:
        raise _Fallback
    if len(data) == 32 and data.isalnum():
        uuid = _new(UUID)
        _set(uuid, "int", int(data, 16))
        _set(uuid, "is_safe", _UNKNOWN)
        return uuid
    return UUID(data)


def _datetime(data: Any) -> datetime:
    if type(data) is not str:
        raise _Fallback
    return datetime.fromisoformat(data)


def _date(data: Any) -> date:
    if type(data) is not str:
        raise _Fallback
    return date.fromisoformat(data)


def _decimal(data: Any) -> Decimal:
    if type(data) is not str:
        raise _Fallback
    return Decimal(data)


_DIRECT: dict[str, Callable[[Any], Any]] = {
    "uuid_hex": _uuid,
    "datetime_iso": _datetime,
    "date_iso": _date,
    "decimal_str": _decimal,
}


class EventDecoder:
    """Decodes stored events as ``mapper.to_domain_event`` does, faster where it can.

    Args:
        mapper: The application's mapper; its own path decodes whatever the fast one
            cannot, so the result is always the mapper's.
        omit: Top-level fields the fast path leaves out of the event, undecoded (what
            its reader never reads); the mapper's path, when taken, keeps them.
    """

    def __init__(self, mapper: Mapper[Any], *, omit: frozenset[str] = frozenset()) -> None:
        self._omit = tuple(omit)
        self._reference = mapper.to_domain_event
        plain = plain_transcodings(mapper)
        self._converters = {name: convert for name, convert in _DIRECT.items() if name in plain}
        self.direct = bool(self._converters)
        self._classes: dict[tuple[str, type], tuple[type, int, Callable[[Any], Any]]] = {}

    def __call__(self, notification: Notification) -> Any:
        """The domain event stored in `notification` (or read already: its `event`)."""
        if type(notification) is DecodedNotification:
            return notification.event
        if self.direct:
            try:
                return self._decode(notification)
            except (_Fallback, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass
        return self._reference(notification)

    def _event_class(self, topic: str, id_type: type) -> tuple[type, int, Callable[[Any], Any]]:
        known = self._classes.get((topic, id_type))
        if known is None:
            cls = resolve_topic(topic)
            known = (cls, getattr(cls, "class_version", 1), find_id_convertor(cls, id_type))
            self._classes[(topic, id_type)] = known
        return known

    def _decode(self, notification: Notification) -> Any:
        originator_id = notification.originator_id
        known = self._classes.get((notification.topic, type(originator_id)))
        if known is None:
            known = self._event_class(notification.topic, type(originator_id))
        cls, class_version, convert_id = known
        state = orjson.loads(notification.state)
        if type(state) is not dict or _is_marker(state):
            raise _Fallback
        for name in self._omit:
            state.pop(name, None)
        converters = self._converters
        for name, value in state.items():
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and "_type_" in value and "_data_" in value:
                    # A transcoding that is not ours raises KeyError: the mapper decodes
                    # it, or says why not.
                    state[name] = converters[value["_type_"]](value["_data_"])
                else:
                    state[name] = self._value(value)
            elif kind is list:
                state[name] = self._value(value)
        if state.pop("class_version", 1) < class_version:
            raise _Fallback  # the mapper upcasts
        state["originator_id"] = convert_id(originator_id)
        state["originator_version"] = notification.originator_version
        event: Any = _new(cls)
        _set(event, "__dict__", state)
        return event

    def _value(self, value: Any) -> Any:
        """A JSON value with its transcoded parts decoded, as the library's hook would."""
        kind = type(value)
        if kind is list:
            return [self._value(item) for item in value]
        if kind is not dict:
            return value
        if _is_marker(value):
            convert = self._converters.get(value["_type_"])
            if convert is None:
                raise _Fallback
            return convert(value["_data_"])
        return {key: self._value(item) for key, item in value.items()}


def _is_marker(value: dict[str, Any]) -> bool:
    return len(value) == 2 and "_type_" in value and "_data_" in value
