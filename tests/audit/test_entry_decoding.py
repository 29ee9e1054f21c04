"""Log entries read back into the domain events they record: event -> entry -> event.

Every event type of the catalogue (made from its declared field types, every optional
field both absent and present), and every event of the demo partnership and of a
synthetic log, goes through its entry and comes back as the same event, which the
mapper stores as the same bytes. The one difference in bytes is the order of an
object's keys inside an event's data (a command record's result), which RFC 8785 sorts:
the same JSON value, the same event.
"""

from __future__ import annotations

import dataclasses
import io
import json
import types
import typing
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from rich.console import Console

from coordination.audit.envelope import data_fields, encode_entry, parse_entry
from coordination.audit.envelope_decode import EntryDecodeError, EntryDecoder, reader
from coordination.audit.stored_state import StoredEventWriter
from coordination.bootstrap import System
from coordination.domain.catalogue import AGGREGATES, event_catalogue, event_classes
from coordination.domain.personal import Personal
from coordination_demo import load_demo
from coordination_demo.synthetic import generate
from tests.audit.support import ORIGIN

NOW = datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC)


def sample(hint: Any, present: bool = True) -> Any:
    """A value of the declared type ``hint`` (None for an optional one unless ``present``)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if not present and type(None) in args:
            return None
        return sample(next(a for a in args if a is not type(None)))
    if origin is list:
        return [sample(args[0]), sample(args[0])]
    if origin is dict:
        return {"z-last": sample(args[1]), "a-first": sample(args[1])}
    made = {
        str: 'M\u00f6tesplats \u2013 \u00e5\u00e4\u00f6 "quoted"',
        int: 42,
        bool: True,
        UUID: uuid4(),
        datetime: NOW,
        date: date(2026, 4, 30),
        # What a command gives; the store seals it, and the entry holds it sealed.
        Personal: Personal(uuid4(), "Ada Lovelace"),
    }
    return made[hint]


def made_events() -> list[Any]:
    """Two events of every class of the catalogue: optional fields absent, then present."""
    events = []
    for aggregate in AGGREGATES:
        for cls in event_classes(aggregate):
            hints = typing.get_type_hints(cls)
            for present in (False, True):
                values = {name: sample(hints[name], present) for name in data_fields(cls)}
                metadata: dict[str, Any] = {
                    "originator_id": uuid4(),
                    "originator_version": 3,
                    "timestamp": NOW,
                    "event_id": uuid4(),
                    "occurred_at": NOW,
                    "actor": "actor-7",
                    "acting_for": uuid4() if present else None,
                    "origin": ORIGIN,
                    "correlation_id": uuid4(),
                    "causation_id": uuid4(),
                    "audience": "partnership",
                }
                fields = {f.name for f in dataclasses.fields(cls)}
                if "originator_topic" in fields:
                    metadata["originator_topic"] = aggregate.TOPIC
                events.append(cls(**metadata, **values))
    return events


def holds_object(value: Any) -> bool:
    """Whether a field's value is or holds an object (whose keys RFC 8785 sorts)."""
    if isinstance(value, list):
        return any(map(holds_object, value))
    return isinstance(value, dict)


def assert_round_trip(system: System, stored: list[StoredEvent], origin: str) -> set[str]:
    """Each stored event, through its entry, comes back as itself, and a replay's writer
    stores it directly as the mapper does; the topics seen."""
    mapper, decoder = system.app.mapper, EntryDecoder()
    writer = StoredEventWriter(mapper)
    assert writer.direct
    topics = set()
    for index, original in enumerate(stored):
        event = mapper.to_domain_event(original)
        assert event.origin == origin  # type: ignore[attr-defined]
        entry = encode_entry(event, index=index, origin=origin)
        topic, back = decoder.decode(parse_entry(entry, index))
        again = mapper.to_stored_event(back)
        assert back == event
        assert topic == again.topic == original.topic
        assert (again.originator_id, again.originator_version) == (
            original.originator_id,
            original.originator_version,
        )
        assert json.loads(again.state) == json.loads(original.state)
        if not any(map(holds_object, vars(event).values())):
            assert again.state == original.state, topic
        assert writer.write_direct(parse_entry(entry, index)) == again, topic
        topics.add(topic)
    return topics


def test_every_event_type_of_the_catalogue_comes_back_from_its_entry(system: System) -> None:
    mapper = system.app.mapper
    # Personal fields are sealed only in a save's scope (decision 39); these are mapped
    # without one, so the keys they are sealed with are never recorded: none is opened.
    with system.app.subject_keys.sealing():
        stored = [mapper.to_stored_event(event) for event in made_events()]
    topics = assert_round_trip(system, stored, ORIGIN)
    assert topics == set(event_catalogue()["events"])


def test_every_event_of_the_demo_and_a_synthetic_log_comes_back(system: System) -> None:
    load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    demo = system.app.recorder.select_notifications(start=1, limit=100_000)
    assert_round_trip(system, list(demo), ORIGIN)
    generate(system.app, 3000)
    synthetic = system.app.recorder.select_notifications(start=len(demo) + 1, limit=100_000)
    # The synthetic log's events name an origin of their own: their log is that one here.
    assert_round_trip(system, list(synthetic), "synthetic.local/log")


def test_an_entry_that_does_not_fit_its_type_is_named() -> None:
    decoder = EntryDecoder()
    event = made_events()[0]
    envelope = parse_entry(encode_entry(event, index=0, origin=ORIGIN), 0)
    wrong = dict(envelope, type="coordination.nothing.v1")
    with pytest.raises(EntryDecodeError, match=r"'coordination\.nothing\.v1' is not an event type"):
        decoder.decode(wrong)
    name = data_fields(type(event))[0]
    bad = dict(envelope, data={**envelope["data"], name: 7})
    with pytest.raises(EntryDecodeError, match=f"{envelope['type']}: {name} "):
        decoder.decode(bad)
    missing = {k: v for k, v in envelope.items() if k != "recordedtime"}
    with pytest.raises(EntryDecodeError, match="'recordedtime' is missing"):
        decoder.decode(missing)


def test_what_the_writer_cannot_write_with_certainty_takes_the_reference_path(
    system: System,
) -> None:
    writer = StoredEventWriter(system.app.mapper)
    event = made_events()[1]
    envelope = parse_entry(encode_entry(event, index=0, origin=ORIGIN), 0)
    reference = system.app.mapper.to_stored_event(EntryDecoder().decode(envelope)[1])
    for odd in (
        {"id": str(event.event_id).upper()},  # an id in another spelling
        {"time": "2026-03-02T12:00:00.123456+02:00"},  # a moment in another zone
        {"recordedtime": "2026-03-02T10:00:00.1Z"},  # a fraction of another length
        {"recordedtime": "2026-03-02T10:00:00.000000Z"},  # a fraction of nothing
    ):
        changed = {**envelope, **odd}
        assert writer.write_direct(changed) is None
        assert (
            writer.stored(changed).state
            == system.app.mapper.to_stored_event(EntryDecoder().decode(changed)[1]).state
        )
    assert writer.stored(envelope) == reference


def test_a_field_type_the_log_cannot_read_back_is_refused_when_the_decoder_is_made() -> None:
    with pytest.raises(TypeError, match="cannot read back a field of type"):
        reader(float | UUID)
    with pytest.raises(TypeError, match="cannot read back a field of type"):
        reader(set[str])
