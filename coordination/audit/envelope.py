"""The log entry of an event: its CloudEvents 1.0 envelope (FEED-PROTOCOL.md §1).

``data`` holds the event's own fields; the library's bookkeeping (stream, version,
timestamp, topic) and our metadata go to the envelope's core attributes and extensions.
An extension whose value is absent (``actingfor`` when the actor acts for no
organisation) is left out, which the CloudEvents JSON format treats as the same as null.
The envelope of the committed JSON Schema in ``docs/envelope.schema.json`` is this one.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

from coordination.domain.catalogue import LIBRARY_FIELDS, METADATA_FIELDS
from coordination.domain.personal import Sealed
from coordination.privacy.sealed_fields import logged_form

from .canonical import canonical_json

SPEC_VERSION = "1.0"
DATA_CONTENT_TYPE = "application/json"
SEQUENCE_DIGITS = 20
REQUIRED_TEXT = (
    "id",
    "source",
    "type",
    "subject",
    "time",
    "recordedtime",
    "actor",
    "correlationid",
    "causationid",
    "audience",
)
"""Envelope attributes every entry has as non-empty text."""


class EnvelopeError(ValueError):
    """An entry is not a well-formed envelope of this log; the message says why."""


def sequence(index: int) -> str:
    """The ``sequence`` extension of the entry at ``index``: 20 zero-padded decimal digits."""
    return f"{index:0{SEQUENCE_DIGITS}d}"


def rfc3339(moment: datetime) -> str:
    """A timezone-aware moment as RFC 3339 UTC text ending in ``Z``.

    Raises:
        ValueError: The moment has no timezone.
    """
    if moment.tzinfo is None:
        raise ValueError(f"moment {moment!r} has no timezone")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_type(event_class: type[Any]) -> str:
    """The stable CloudEvents ``type`` of an event class: ``<TOPIC>.v<class_version>``."""
    return f"{event_class.TOPIC}.v{getattr(event_class, 'class_version', 1)}"


@cache
def data_fields(event_class: type) -> tuple[str, ...]:
    """The event class's own fields: neither library bookkeeping nor metadata."""
    skip = LIBRARY_FIELDS | set(METADATA_FIELDS)
    return tuple(f.name for f in dataclasses.fields(event_class) if f.name not in skip)


def json_value(value: object) -> Any:
    """An event field's value as JSON: ids as text, moments and dates as RFC 3339 text,
    a sealed personal datum in the protocol's form (``sealed_fields.logged_form``).

    Raises:
        TypeError: The value has a type the log does not know how to write.
        ValueError: A sealed datum's ciphertext is not the base64 the node seals.
    """
    if value is None or type(value) in (str, int, bool, float):
        return value
    if isinstance(value, Enum):
        return json_value(value.value)
    if isinstance(value, (str, int)):
        return str(value) if isinstance(value, str) else int(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, (set, frozenset)):
        # Sets have no order; the canonical bytes of the members give them one.
        return sorted((json_value(item) for item in value), key=canonical_json)
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, Sealed):
        return logged_form(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot write a {type(value).__name__} into a log entry")


def build_envelope(event: Any, *, index: int, origin: str) -> dict[str, Any]:
    """The CloudEvents envelope of a domain event as the entry at ``index``.

    Args:
        event: A decoded domain event of the coordination model (it has ``TOPIC`` and the
            metadata fields of ``CoordinationAggregate.Event``).
        index: The entry's log index.
        origin: The log's origin, the envelope's ``source``.
    """
    fields = event.__dict__
    event_class: type = type(event)
    envelope: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": str(fields["event_id"]),
        "source": origin,
        "type": event_type(event_class),
        "subject": str(fields["originator_id"]),
        "time": rfc3339(fields["occurred_at"]),
        "datacontenttype": DATA_CONTENT_TYPE,
        "data": {name: json_value(fields[name]) for name in data_fields(event_class)},
        "sequence": sequence(index),
        "streamversion": fields["originator_version"],
        "recordedtime": rfc3339(fields["timestamp"]),
        "actor": str(fields["actor"]),
        "correlationid": str(fields["correlation_id"]),
        "causationid": str(fields["causation_id"]),
        "audience": str(fields["audience"]),
    }
    if fields["acting_for"] is not None:
        envelope["actingfor"] = str(fields["acting_for"])
    return envelope


def encode_entry(event: Any, *, index: int, origin: str) -> bytes:
    """The entry bytes of a domain event: its envelope serialised with RFC 8785."""
    return canonical_json(build_envelope(event, index=index, origin=origin))


def check_envelope(envelope: object, index: int) -> dict[str, Any]:
    """Check that a parsed entry is an envelope of this log at ``index``.

    Returns:
        The envelope.

    Raises:
        EnvelopeError: Something required is missing or wrong; the message says what.
    """
    if not isinstance(envelope, dict):
        raise EnvelopeError("the entry is not a JSON object")
    if envelope.get("specversion") != SPEC_VERSION:
        raise EnvelopeError(f"specversion is {envelope.get('specversion')!r}, not '1.0'")
    for name in REQUIRED_TEXT:
        value = envelope.get(name)
        if not isinstance(value, str) or not value:
            raise EnvelopeError(f"attribute {name!r} is missing or not non-empty text")
    if envelope.get("datacontenttype") != DATA_CONTENT_TYPE:
        raise EnvelopeError("datacontenttype is not 'application/json'")
    if not isinstance(envelope.get("data"), dict):
        raise EnvelopeError("data is not a JSON object")
    version = envelope.get("streamversion")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise EnvelopeError("streamversion is not a positive integer")
    if envelope.get("sequence") != sequence(index):
        raise EnvelopeError(
            f"sequence is {envelope.get('sequence')!r}, not the entry's index {sequence(index)}"
        )
    return envelope


def parse_entry(entry: bytes, index: int) -> dict[str, Any]:
    """Parse entry bytes and check they are the envelope at ``index``.

    Raises:
        EnvelopeError: The bytes are not JSON, or not an envelope at ``index``.
    """
    try:
        envelope = json.loads(entry)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"the entry is not valid JSON: {exc}") from exc
    return check_envelope(envelope, index)
