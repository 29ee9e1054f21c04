"""The projector's fast decoding gives exactly the events the library's mapper gives."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification

from coordination.bootstrap import System
from coordination.domain.action import Action
from coordination.projections.decoding import EventDecoder
from coordination.projections.synthetic import generate


def _typed(value: Any) -> Any:
    """A value with the type of every part spelled out, so 1 == True or a str id differ."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value), value)


def test_fast_decoding_equals_the_mappers_over_a_whole_log(system: System) -> None:
    generate(system.app, 3000)
    notes = system.app.recorder.select_notifications(start=1, limit=10_000)
    decoder = EventDecoder(system.app.mapper)
    assert decoder.direct
    assert len({note.topic for note in notes}) > 20
    for note in notes:
        fast, reference = decoder(note), system.app.mapper.to_domain_event(note)
        assert type(fast) is type(reference)
        assert _typed(fast.__dict__) == _typed(reference.__dict__), note.topic


def test_what_the_fast_path_does_not_know_goes_to_the_mapper(system: System) -> None:
    decoder = EventDecoder(system.app.mapper)
    stored = (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-05T10:00:00+00:00"},'
        b'"note":{"_type_":"a_transcoding_nobody_registered","_data_":"x"}}'
    )
    note = Notification(
        id=1,
        originator_id=uuid4(),
        originator_version=2,
        topic=Action.ProgressReported.TOPIC,
        state=stored,
    )
    with pytest.raises(Exception) as mapper_error:
        system.app.mapper.to_domain_event(note)
    with pytest.raises(mapper_error.type):
        decoder(note)
