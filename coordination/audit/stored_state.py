"""Verified entries straight to the stored events the library writes: a replay's hot path.

The reference is ``mapper.to_stored_event(EntryDecoder().decode(envelope))``, which
builds ids, moments and an event only to write them straight back as JSON. Where
nothing can differ (the mapper is the library's JSON transcoder with the transcodings
this knows, and no cipher or compressor), `StoredEventWriter` writes the stored JSON
from the envelope itself, field by field in the class's order: ids as ``uuid_hex``,
moments as ``datetime_iso``, dates as ``date_iso``, a sealed personal datum as its
transcoding stores it (``SealedAsStored``: the ciphertext as signed, in the node's own
alphabet, never opened).
Anything it cannot write with certainty (an id or a moment not in the form the log
writes, a value of another type, an integer beyond 64 bits) takes the reference path; a
test holds both to the same bytes over every event type of the catalogue, the demo and a
synthetic log.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent

from coordination.domain.personal import Sealed
from coordination.persistence.transcodings import plain_transcodings
from coordination.privacy.sealed_fields import stored_ciphertext
from coordination.privacy.transcoding import NAME, stored_form, stores_sealed_as_is

from .envelope import event_type
from .envelope_decode import (
    SEALED_KEYS,
    VALUES,
    EntryDecoder,
    EventPlan,
    Family,
    catalogue_classes,
    is_canonical_uuid,
)

#: As ``rfc3339`` writes a moment: a fraction only where there is one (as ``isoformat``).
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.(?!000000)[0-9]{6})?Z"
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The largest integer both orjson and the library's encoder write alike.
_INT_RANGE = range(-(2**63), 2**64)


class _Fallback(Exception):
    """This entry takes the reference path."""


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _Fallback
    return value


def _whole(value: Any) -> int:
    if type(value) is not int or value not in _INT_RANGE:
        raise _Fallback
    return value


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise _Fallback
    return value


def _uuid(value: Any) -> dict[str, str]:
    if type(value) is not str or not is_canonical_uuid(value):
        raise _Fallback
    return {"_type_": "uuid_hex", "_data_": value.replace("-", "")}


def _moment(value: Any) -> dict[str, str]:
    # As a moment in UTC is written back: ``isoformat``, its zone as +00:00.
    if type(value) is not str or not _MOMENT.fullmatch(value):
        raise _Fallback
    return {"_type_": "datetime_iso", "_data_": value[:-1] + "+00:00"}


def _day(value: Any) -> dict[str, str]:
    if type(value) is not str or not _DAY.fullmatch(value):
        raise _Fallback
    return {"_type_": "date_iso", "_data_": value}


def _sealed(value: Any) -> dict[str, Any]:
    if type(value) is not dict or value.keys() != SEALED_KEYS:
        raise _Fallback
    subject = value["subject"]
    if type(subject) is not str or not is_canonical_uuid(subject):
        raise _Fallback
    try:
        ciphertext = stored_ciphertext(_text(value["ciphertext"]))
    except ValueError:
        raise _Fallback from None  # the reference path names the problem
    return {"_type_": NAME, "_data_": stored_form(subject.replace("-", ""), ciphertext)}


#: Each plain type as the library stores it.
STORED: Family = {
    str: _text,
    int: _whole,
    bool: _flag,
    UUID: _uuid,
    datetime: _moment,
    date: _day,
    Sealed: _sealed,
}
#: The transcodings whose stored form this writes, by the name they store.
WRITES = frozenset({"uuid_hex", "datetime_iso", "date_iso"})
_SKIPPED = frozenset({"originator_id", "originator_version"})


class StoredEventWriter:
    """Writes verified envelopes as the stored events ``mapper`` would write of their events.

    Args:
        mapper: The mapper of the store the events go to.
    """

    def __init__(self, mapper: Mapper[Any]) -> None:
        self._mapper, self._reference = mapper, EntryDecoder()
        self.direct = plain_transcodings(mapper) >= WRITES and stores_sealed_as_is(
            mapper.transcoder
        )
        """Whether the direct path applies (else every entry takes the reference path)."""
        self._plans = {
            event_type(cls): EventPlan(cls, aggregate, _SKIPPED, STORED)
            for aggregate, cls in catalogue_classes()
        }

    def stored(self, envelope: dict[str, Any]) -> StoredEvent:
        """The stored event of a checked envelope's event.

        Raises:
            EntryDecodeError: It cannot be read back into an event of this release.
        """
        done = self.write_direct(envelope) if self.direct else None
        if done is not None:
            return done
        _, event = self._reference.decode(envelope)
        return self._mapper.to_stored_event(event)

    def write_direct(self, envelope: dict[str, Any]) -> StoredEvent | None:
        """The stored event written directly; None where the reference path must decide."""
        try:
            return self._direct(envelope)
        except (_Fallback, KeyError, TypeError, orjson.JSONEncodeError):
            return None

    def _direct(self, envelope: dict[str, Any]) -> StoredEvent:
        plan = self._plans.get(_text(envelope["type"]))
        if plan is None:
            raise _Fallback
        state = {name: field(envelope) for name, field in plan.plan}
        if plan.class_version > 1:
            state["class_version"] = plan.class_version  # where the mapper puts it
        return StoredEvent(
            originator_id=VALUES[UUID](envelope["subject"]),
            originator_version=_whole(envelope["streamversion"]),
            topic=plan.topic,
            state=orjson.dumps(state),
        )
