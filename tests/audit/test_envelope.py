"""The entry of an event: its CloudEvents envelope, field by field, and its JSON Schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import DatetimeAsISO as LibraryDatetimeAsISO
from eventsourcing.persistence import JSONTranscoder, Mapper, UUIDAsHex
from jsonschema import Draft202012Validator

from coordination.audit.canonical import canonical_json
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.envelope import (
    EnvelopeError,
    build_envelope,
    encode_entry,
    parse_entry,
)
from coordination.audit.envelope_schema import envelope_schema_text
from coordination.bootstrap import System
from coordination.domain.decision import Decision
from coordination.persistence.transcodings import DateAsISO
from coordination_demo import load_demo
from tests.audit.support import ORIGIN

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "envelope.schema.json"
STREAM = UUID("6f1c2a4e-0000-4000-8000-000000000001")
EVENT = UUID("6f1c2a4e-0000-4000-8000-000000000002")
ORG = UUID("6f1c2a4e-0000-4000-8000-000000000003")
CORRELATION = UUID("6f1c2a4e-0000-4000-8000-000000000004")
CAUSATION = UUID("6f1c2a4e-0000-4000-8000-000000000005")


def adopted(acting_for: UUID | None = ORG) -> Decision.DecisionAdopted:
    return Decision.DecisionAdopted(  # type: ignore[call-arg]
        originator_id=STREAM,
        originator_version=7,
        timestamp=datetime(2026, 3, 2, 10, 0, 1, 250000, tzinfo=UTC),
        event_id=EVENT,
        occurred_at=datetime(2026, 3, 2, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        actor="2b3c4d5e-person",
        acting_for=acting_for,
        origin="another.example/log",
        correlation_id=CORRELATION,
        causation_id=CAUSATION,
        audience="partnership",
        outcome="Adopt the model social clauses",
        effective_on=date(2026, 4, 1),
        review_on=None,
    )


def test_the_envelope_of_a_known_event_field_by_field() -> None:
    assert build_envelope(adopted(), index=41, origin=ORIGIN) == {
        "specversion": "1.0",
        "id": "6f1c2a4e-0000-4000-8000-000000000002",
        "source": ORIGIN,  # the log's origin, not the command's
        "type": "coordination.decision.decision_adopted.v1",
        "subject": "6f1c2a4e-0000-4000-8000-000000000001",
        "time": "2026-03-02T10:00:00Z",  # occurred at, in UTC
        "datacontenttype": "application/json",
        "data": {
            "outcome": "Adopt the model social clauses",
            "effective_on": "2026-04-01",
            "review_on": None,
        },
        "sequence": "00000000000000000041",
        "streamversion": 7,
        "recordedtime": "2026-03-02T10:00:01.250000Z",
        "actor": "2b3c4d5e-person",
        "actingfor": "6f1c2a4e-0000-4000-8000-000000000003",
        "correlationid": "6f1c2a4e-0000-4000-8000-000000000004",
        "causationid": "6f1c2a4e-0000-4000-8000-000000000005",
        "audience": "partnership",
    }


def test_the_entry_bytes_are_the_envelope_in_rfc_8785_form() -> None:
    entry = encode_entry(adopted(), index=41, origin=ORIGIN)
    assert entry.startswith(b'{"actingfor":"6f1c2a4e-0000-4000-8000-000000000003","actor":')
    assert b" " not in entry.replace(b"Adopt the model social clauses", b"")
    assert entry == canonical_json(json.loads(entry))


def test_actingfor_is_left_out_when_the_actor_acts_for_no_organisation() -> None:
    envelope = build_envelope(adopted(acting_for=None), index=0, origin=ORIGIN)
    assert "actingfor" not in envelope
    assert envelope["sequence"] == "0" * 20


def _demo_notifications(system: System) -> list[Any]:
    load_demo(system.app, origin=ORIGIN)
    return list(system.app.recorder.select_notifications(start=1, limit=10_000))


def test_the_fast_encoder_writes_the_reference_bytes(system: System) -> None:
    """Direct decoding of stored JSON equals decoding to domain events (both stores)."""
    notifications = _demo_notifications(system)
    encoder = EntryEncoder(system.app.mapper, ORIGIN)
    for index, notification in enumerate(notifications):
        event = system.app.mapper.to_domain_event(notification)
        expected = encode_entry(event, index=index, origin=ORIGIN)
        assert encoder.encode(notification, index)[0] == expected


def test_the_reference_path_serves_mappers_it_cannot_read_directly() -> None:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), LibraryDatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    compressed = Mapper(transcoder=transcoder, compressor=ZlibCompressor())
    plain = Mapper(transcoder=transcoder)
    event = adopted()
    direct = EntryEncoder(plain, ORIGIN).encode(plain.to_stored_event(event), 3)[0]
    via_events = EntryEncoder(compressed, ORIGIN).encode(compressed.to_stored_event(event), 3)[0]
    assert direct == via_events == encode_entry(event, index=3, origin=ORIGIN)


def test_every_demo_envelope_validates_against_the_committed_schema(system: System) -> None:
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    encoder = EntryEncoder(system.app.mapper, ORIGIN)
    notifications = _demo_notifications(system)
    types = set()
    for index, notification in enumerate(notifications):
        envelope = json.loads(encoder.encode(notification, index)[0])
        errors = [e.message for e in validator.iter_errors(envelope)]
        assert not errors, (envelope["type"], errors)
        types.add(envelope["type"])
    assert len(types) > 10  # the demo exercises many event types


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda e: e.update(extra="x"), "additional"),
        (lambda e: e.update(sequence="41"), "sequence"),
        (lambda e: e["data"].update(effective_on="1 April"), "effective_on"),
        (lambda e: e["data"].pop("outcome"), "outcome"),
        (lambda e: e.update(type="coordination.decision.unknown.v1"), "type"),
    ],
)
def test_the_schema_refuses_what_is_not_an_entry(change: Any, path: str) -> None:
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    envelope = build_envelope(adopted(), index=41, origin=ORIGIN)
    assert not list(validator.iter_errors(envelope))
    change(envelope)
    messages = " ".join(str(e) for e in validator.iter_errors(envelope))
    assert messages
    assert path in messages


def test_the_committed_schema_is_the_generated_one() -> None:
    """Regenerate with: coordination envelope-schema --write docs/envelope.schema.json"""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == envelope_schema_text()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"specversion":"0.3"}', "specversion"),
    ],
)
def test_parse_entry_says_what_is_wrong(entry: bytes, message: str) -> None:
    with pytest.raises(EnvelopeError, match=message):
        parse_entry(entry, 0)


def test_parse_entry_checks_the_sequence_against_the_index() -> None:
    entry = encode_entry(adopted(), index=41, origin=ORIGIN)
    assert parse_entry(entry, 41)["id"] == str(EVENT)
    with pytest.raises(EnvelopeError, match="not the entry's index 00000000000000000042"):
        parse_entry(entry, 42)
