"""The JSON Schema of log entries, generated from the event catalogue.

``docs/envelope.schema.json`` is this schema, committed; a test fails when the two differ,
so a change of the envelope or of an event's fields is a visible, reviewed diff (as with
``docs/event-catalogue.json``). Each ``type`` gets the schema of its ``data``.
"""

from __future__ import annotations

import json
from typing import Any

from coordination.domain.catalogue import event_catalogue
from coordination.privacy.sealed_fields import CIPHERTEXT_PATTERN

from .envelope import DATA_CONTENT_TYPE, SEQUENCE_DIGITS, SPEC_VERSION

SCHEMA_ID = "urn:coordination:log-entry:v1"
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
UTC_TIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?Z$"

_UUID: dict[str, Any] = {"type": "string", "pattern": UUID_PATTERN}
_TIME: dict[str, Any] = {"type": "string", "pattern": UTC_TIME_PATTERN}
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_SIMPLE: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "UUID": _UUID,
    "date": {"type": "string", "pattern": DATE_PATTERN},
    "datetime": _TIME,
    "None": {"type": "null"},
    # A personal field, as every log entry holds it (FEED-PROTOCOL §1): sealed with its
    # subject's key, the ciphertext in standard base64.
    "Personal": {
        "type": "object",
        "properties": {
            "subject": _UUID,
            "ciphertext": {"type": "string", "pattern": CIPHERTEXT_PATTERN},
        },
        "required": ["ciphertext", "subject"],
        "additionalProperties": False,
    },
}


def _split_top(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside brackets: ``"a | dict[b, c | d]"`` -> 2 parts."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i].strip())
            start = i + len(separator)
    parts.append(text[start:].strip())
    return parts


def field_schema(type_name: str) -> dict[str, Any]:
    """The JSON Schema of a catalogue field type such as ``list[UUID]`` or ``date | None``.

    Types the generator does not know get the empty schema (any value), so a new kind of
    field never breaks the build; the drift test still shows it in review.
    """
    alternatives = _split_top(type_name, "|")
    if len(alternatives) > 1:
        return {"anyOf": [field_schema(alt) for alt in alternatives]}
    if type_name in _SIMPLE:
        return dict(_SIMPLE[type_name])
    container, _, rest = type_name.partition("[")
    arguments = _split_top(rest.removesuffix("]"), ",") if rest else []
    if container == "list" and len(arguments) == 1:
        return {"type": "array", "items": field_schema(arguments[0])}
    if container == "dict" and len(arguments) == 2:
        return {"type": "object", "additionalProperties": field_schema(arguments[1])}
    return {}


def envelope_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) every log entry validates against."""
    events = event_catalogue()["events"]
    defs: dict[str, Any] = {}
    by_type: list[dict[str, Any]] = []
    for event in sorted(events.values(), key=lambda e: str(e["type"])):
        fields: dict[str, str] = event["fields"]
        defs[event["type"]] = {
            "type": "object",
            "properties": {name: field_schema(kind) for name, kind in sorted(fields.items())},
            "required": sorted(fields),
            "additionalProperties": False,
        }
        by_type.append(
            {
                "if": {"properties": {"type": {"const": event["type"]}}},
                "then": {"properties": {"data": {"$ref": f"#/$defs/{event['type']}"}}},
            }
        )
    properties: dict[str, Any] = {
        "specversion": {"const": SPEC_VERSION},
        "id": _UUID,
        "source": _TEXT,
        "type": {"enum": sorted(defs)},
        "subject": _UUID,
        "time": _TIME,
        "datacontenttype": {"const": DATA_CONTENT_TYPE},
        "data": {"type": "object"},
        "sequence": {"type": "string", "pattern": f"^[0-9]{{{SEQUENCE_DIGITS}}}$"},
        "streamversion": {"type": "integer", "minimum": 1},
        "recordedtime": _TIME,
        "actor": _TEXT,
        "actingfor": _UUID,
        "correlationid": _UUID,
        "causationid": _UUID,
        "audience": _TEXT,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Log entry",
        "description": (
            "A CloudEvents 1.0 envelope of one event, the entry at index `sequence` of a "
            "node's log; its bytes are this object serialised with RFC 8785. `actingfor` "
            "is absent when the actor acts for no organisation."
        ),
        "type": "object",
        "properties": properties,
        "required": sorted(name for name in properties if name != "actingfor"),
        "additionalProperties": False,
        "allOf": by_type,
        "$defs": defs,
    }


def envelope_schema_text() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(envelope_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
