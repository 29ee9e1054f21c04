"""Log entries back to the domain events they record: the inverse of ``build_envelope``.

An envelope holds every field of its event: the library's bookkeeping and our metadata
as attributes (``subject``, ``streamversion``, ``recordedtime``, ``id``, ``time``, ...),
the event's own fields in ``data``, written by ``json_value``. Reading them back needs
each field's type, which the event class declares; the types the domain's events use
(text, whole numbers, booleans, ids, moments, dates, lists and objects of them, and
optional ones) each have a reader here, and a class with any other type is refused when
the decoder is made, not at its first entry. A personal field (``PersonalField``) is read
as the `Sealed` the entry holds in the protocol's form (``{"subject", "ciphertext"}``,
``privacy.sealed_fields``), its ciphertext back in the node's own alphabet: never opened,
so no key is needed and an erased person's fields read back as they are (decisions 38,
52).

One field has no attribute of its own: the event's ``origin`` (the node on which its
command ran). The entry's ``source`` (the log's origin) stands for it, which is the same
value for every event the node itself recorded; no view reads it. The decoded event is
built as the library's mapper builds one from a stored event, fields in the class's
order, so that the mapper stores it again as the same bytes (a test holds every event
type of the catalogue to that).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID, SafeUUID

from eventsourcing.utils import get_topic

from coordination.domain.catalogue import AGGREGATES, event_classes
from coordination.domain.personal import Personal, Sealed
from coordination.privacy.sealed_fields import SEALED_KEYS, stored_ciphertext

from .envelope import data_fields, event_type

Read = Callable[[Any], Any]
Field = Callable[[dict[str, Any]], Any]
_NONE = type(None)


class EntryDecodeError(ValueError):
    """An envelope cannot be read back into an event of this release; the message says why."""


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("is not text")
    return value


def _whole(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("is not a whole number")
    return value


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("is not true or false")
    return value


_new, _set, _UNKNOWN = object.__new__, object.__setattr__, SafeUUID.unknown
_CANONICAL_UUID = re.compile(
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
).fullmatch


def _uuid(value: Any) -> UUID:
    text = _text(value)
    if is_canonical_uuid(text):
        # What UUID(text) makes of its canonical form, without parsing the other spellings.
        made = _new(UUID)
        _set(made, "int", int(text.replace("-", ""), 16))
        _set(made, "is_safe", _UNKNOWN)
        return made
    return UUID(text)


def is_canonical_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID as ``str(UUID)`` writes it (as entries hold ids)."""
    return _CANONICAL_UUID(text) is not None


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("is a time without a timezone")
    return moment


def _day(value: Any) -> date:
    return date.fromisoformat(_text(value))


def _sealed(value: Any) -> Sealed:
    if type(value) is not dict or value.keys() != SEALED_KEYS:
        raise TypeError("is not a sealed personal datum")
    return Sealed(_uuid(value["subject"]), stored_ciphertext(_text(value["ciphertext"])))


#: What an entry holds of a field declared as the clear type: a personal datum is sealed
#: before it is stored, and entries are written from stored events.
_AS_LOGGED: dict[Any, Any] = {Personal: Sealed}


Family = dict[Any, Read]
"""How each plain type is read: into its Python value (`VALUES`) or, for the stored
events a replay writes, into the library's stored JSON (``stored_state``)."""
VALUES: Family = {
    str: _text,
    int: _whole,
    bool: _flag,
    UUID: _uuid,
    datetime: _moment,
    date: _day,
    Sealed: _sealed,
}
#: The JSON value each plain type is written as, for unions of several of them.
_JSON_TYPE: dict[Any, type] = {str: str, int: int, bool: bool}


def reader(hint: Any, family: Family = VALUES) -> Read:
    """How a field declared as ``hint`` is read back from its JSON value.

    Raises:
        TypeError: The type is not one the log can read back.
    """
    plain = family.get(_AS_LOGGED.get(hint, hint))
    if plain is not None:
        return plain
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = dict.fromkeys(_AS_LOGGED.get(a, a) for a in args if a is not _NONE)
        return _union(hint, list(options), _NONE in args, family)
    if origin is list and len(args) == 1:
        item = reader(args[0], family)

        def read_list(value: Any) -> list[Any]:
            if type(value) is not list:
                raise TypeError("is not a list")
            return [item(each) for each in value]

        return read_list
    if origin is dict and len(args) == 2 and args[0] is str:
        member = reader(args[1], family)

        def read_object(value: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise TypeError("is not an object")
            return {key: member(each) for key, each in value.items()}

        return read_object
    raise TypeError(f"the log cannot read back a field of type {hint}")


def _union(hint: Any, options: list[Any], optional: bool, family: Family) -> Read:
    if len(options) == 1:
        single = reader(options[0], family)
        return (lambda value: None if value is None else single(value)) if optional else single
    # Several types: told apart by the JSON value's own type, so only plain ones.
    by_json = {_JSON_TYPE.get(option): reader(option, family) for option in options}
    if None in by_json or len(by_json) != len(options):
        raise TypeError(f"the log cannot read back a field of type {hint}")

    def read_union(value: Any) -> Any:
        if value is None and optional:
            return None
        chosen = by_json.get(type(value))
        if chosen is None:
            raise TypeError(f"is none of {hint}")
        return chosen(value)

    return read_union


def _attribute(name: str, read: Read) -> Field:
    def field(envelope: dict[str, Any]) -> Any:
        return read(envelope[name])

    return field


def _optional(name: str, read: Read) -> Field:
    # An attribute left out of the envelope is absent (``actingfor``, when the actor acts
    # for no organisation).
    def field(envelope: dict[str, Any]) -> Any:
        value = envelope.get(name)
        return None if value is None else read(value)

    return field


def _attributes(family: Family) -> dict[str, Field]:
    """Where each field every event has is in the envelope (see ``build_envelope``)."""
    ids, moment, text = family[UUID], family[datetime], family[str]
    return {
        "originator_id": _attribute("subject", ids),
        "originator_version": _attribute("streamversion", family[int]),
        "timestamp": _attribute("recordedtime", moment),
        "event_id": _attribute("id", ids),
        "occurred_at": _attribute("time", moment),
        "actor": _attribute("actor", text),
        "acting_for": _optional("actingfor", ids),
        "origin": _attribute("source", text),
        "correlation_id": _attribute("correlationid", ids),
        "causation_id": _attribute("causationid", ids),
        "audience": _attribute("audience", text),
    }


def _constant(value: str) -> Field:
    def field(_envelope: dict[str, Any]) -> str:
        return value

    return field


def _data(name: str, read: Read) -> Field:
    def field(envelope: dict[str, Any]) -> Any:
        return read(envelope["data"][name])

    return field


class EventPlan:
    """One event class: its stored topic and how each of its fields is read, in order.

    Args:
        cls: The event class.
        aggregate: The aggregate it is nested in (whose topic a created event names).
        omit: Fields left out.
        family: How plain values are read.
    """

    def __init__(
        self, cls: type, aggregate: type, omit: frozenset[str], family: Family = VALUES
    ) -> None:
        self.cls, self.topic = cls, get_topic(cls)
        self.class_version: int = getattr(cls, "class_version", 1)
        hints = typing.get_type_hints(cls)
        own, attributes = set(data_fields(cls)), _attributes(family)
        created_by = get_topic(aggregate)
        plan: list[tuple[str, Field]] = []
        for each in dataclasses.fields(cls):
            name = each.name
            if name in omit:
                continue
            if name in own:
                plan.append((name, _data(name, reader(hints[name], family))))
            elif name == "originator_topic":
                plan.append((name, _constant(created_by)))
            elif name in attributes:
                plan.append((name, attributes[name]))
            else:
                raise TypeError(f"{cls.__qualname__}.{name} has no place in a log entry")
        self.plan = tuple(plan)


class EntryDecoder:
    """Reads envelopes back into the domain events they record.

    Args:
        omit: Fields left out of the events (what their reader never reads: the
            projector's ``UNREAD_METADATA``); the events are then for reading only, not
            for storing again.
        classes: The (aggregate, event class) pairs to read; every event of the domain's
            catalogue when None.

    Raises:
        TypeError: An event class has a field whose type cannot be read back.
    """

    def __init__(
        self,
        *,
        omit: frozenset[str] = frozenset(),
        classes: Iterable[tuple[type, type]] | None = None,
    ) -> None:
        pairs = classes if classes is not None else catalogue_classes()
        self._types = {event_type(cls): EventPlan(cls, aggregate, omit) for aggregate, cls in pairs}

    def _known(self, envelope: dict[str, Any]) -> EventPlan | None:
        kind = envelope.get("type")
        return self._types.get(kind) if isinstance(kind, str) else None

    def topic(self, envelope: dict[str, Any]) -> str | None:
        """The stored topic of an envelope's event, None if its type is not of this release."""
        known = self._known(envelope)
        return None if known is None else known.topic

    def decode(self, envelope: dict[str, Any]) -> tuple[str, Any]:
        """The stored topic and the domain event of a checked envelope (``check_envelope``).

        Raises:
            EntryDecodeError: Its type is not one of this release, or a field is missing
                or not of its declared type.
        """
        known, kind = self._known(envelope), envelope.get("type")
        if known is None:
            raise EntryDecodeError(f"its type {kind!r} is not an event type of this release")
        state: dict[str, Any] = {}
        for name, field in known.plan:
            try:
                state[name] = field(envelope)
            except KeyError as missing:
                raise EntryDecodeError(f"{kind}: {missing} is missing") from None
            except (TypeError, ValueError) as exc:
                raise EntryDecodeError(f"{kind}: {name} {exc}") from None
        event: Any = object.__new__(known.cls)
        # As the library's mapper builds an event from a stored one.
        object.__setattr__(event, "__dict__", state)
        return known.topic, event


def catalogue_classes() -> list[tuple[type, type]]:
    """Every (aggregate, event class) pair of the domain's catalogue."""
    return [(aggregate, cls) for aggregate in AGGREGATES for cls in event_classes(aggregate)]


__all__ = [
    "SEALED_KEYS",
    "VALUES",
    "EntryDecodeError",
    "EntryDecoder",
    "EventPlan",
    "Family",
    "catalogue_classes",
    "is_canonical_uuid",
    "reader",
]
