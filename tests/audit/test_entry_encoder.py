"""The integrator's encoder: rows of the event table to entry bytes, held to the reference."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
import rfc8785
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, StoredEvent, UUIDAsHex
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.audit.canonical import MAX_SAFE_INTEGER
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.envelope import encode_entry
from coordination.audit.merkle import leaf_hash
from coordination.audit.storage import EventRow, open_storage
from coordination.bootstrap import System
from coordination.domain.action import Action
from coordination.persistence.transcodings import DateAsISO
from coordination_demo import load_demo
from tests.audit.support import NOW, ORIGIN

#: A sealed personal field as stored (decision 38): such events take the reference path
#: by design, the direct one writing no personal field itself.
_SEALED = b'"_type_":"personal"'


class _NoReference(Mapper[UUID]):
    """A mapper that fails the test when the encoder takes the reference path for an event
    with no sealed personal field."""

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if _SEALED not in stored_event.state:
            raise AssertionError(f"the reference path was taken for {stored_event.topic}")
        return super().to_domain_event(stored_event)


def _mapper() -> Mapper[UUID]:
    """The application's transcodings, without its event store."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def _rows(system: System) -> list[EventRow]:
    storage = open_storage(system.target, system.app)
    try:
        return storage.read_events(1, 10_000)
    finally:
        storage.close()


def test_rows_encode_to_the_reference_bytes(system: System) -> None:
    """Rows as each store keeps them (SQLite: hex stream ids) give the reference entries."""
    load_demo(system.app, origin=ORIGIN)
    notifications = system.app.recorder.select_notifications(start=1, limit=10_000)
    rows = _rows(system)
    assert [row[0] for row in rows] == [n.id for n in notifications]
    entries = EntryEncoder(system.app.mapper, ORIGIN).entries(rows, 7)
    for entry, notification in zip(entries, notifications, strict=True):
        event = system.app.mapper.to_domain_event(notification)
        assert entry.entry == encode_entry(event, index=entry.index, origin=ORIGIN)
        assert entry.leaf_hash == leaf_hash(entry.entry)
        assert (entry.notification_id, entry.stream_version) == (
            notification.id,
            event.originator_version,
        )
        assert (entry.event_id, entry.stream_id) == (str(event.event_id), str(event.originator_id))
        assert (entry.type, entry.audience) == (event.TOPIC + ".v1", event.audience)
    assert [e.index for e in entries] == list(range(7, 7 + len(rows)))


def test_the_demo_takes_the_direct_path(system: System) -> None:
    """Every demo event is read straight from its stored JSON, never decoded to an event,
    but those with a sealed personal field."""
    load_demo(system.app, origin=ORIGIN)
    strict = EntryEncoder(_NoReference(transcoder=system.app.mapper.transcoder), ORIGIN)
    assert len(strict.entries(_rows(system), 0)) > 50


def _stored_note(note: Any) -> EventRow:
    """A stored progress report whose ``note`` holds any JSON value."""
    event = Action.ProgressReported(  # type: ignore[call-arg]
        originator_id=uuid4(),
        originator_version=1,
        timestamp=NOW,
        event_id=uuid4(),
        occurred_at=NOW,
        actor="bench",
        acting_for=None,
        origin=ORIGIN,
        correlation_id=uuid4(),
        causation_id=uuid4(),
        audience="partnership",
        percent=5,
        note="",
    )
    stored = _mapper().to_stored_event(event)
    state = orjson.loads(stored.state)
    state["note"] = note
    return (1, stored.originator_id.hex, 1, stored.topic, orjson.dumps(state))


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text()
    | st.text(st.sampled_from('\x00\x1f\x7f"\\/\u2028\ud7ff\ue000\U0001f600é'))
)
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_characters="_", exclude_categories=["Cs"]), max_size=6),
            children,
        )
    ),
    max_leaves=16,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_any_field_value_is_written_as_rfc8785(note: Any) -> None:
    """The direct path orders keys itself (orjson does not sort): the bytes are JCS."""
    entry = EntryEncoder(_mapper(), ORIGIN).entries([_stored_note(note)], 0)
    written = entry[0].entry
    assert written == rfc8785.dumps(orjson.loads(written))
    assert orjson.loads(written)["data"]["note"] == note


@pytest.mark.parametrize("note", [1.5, 2**53, {"\U0001f600": 1, "\ufb33": 2}])
def test_values_beyond_the_direct_path_are_still_written(note: Any) -> None:
    """Floats, large integers and keys above U+D800 go to the reference path."""
    row = _stored_note(note)
    try:
        entry = EntryEncoder(_mapper(), ORIGIN).entries([row], 0)[0].entry
    except ValueError:
        assert note == 2**53  # outside I-JSON: refused by the reference too
        return
    assert entry == rfc8785.dumps(orjson.loads(entry))
