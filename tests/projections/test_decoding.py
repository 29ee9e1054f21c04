"""The projector's fast decoding gives exactly the events the library's mapper gives
(less the metadata no view reads, which it leaves out)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification

from coordination import projections
from coordination.bootstrap import System
from coordination.domain.action import Action
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.decoding import EventDecoder
from coordination.projections.runner import ProjectionRunner
from coordination.projections.view import UNREAD_METADATA
from coordination.projections.views import ALL_VIEWS
from coordination_demo.synthetic import generate


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


def test_omitted_fields_are_left_out_and_the_rest_is_the_mappers(system: System) -> None:
    generate(system.app, 1000)
    notes = system.app.recorder.select_notifications(start=1, limit=10_000)
    decoder = EventDecoder(system.app.mapper, omit=UNREAD_METADATA)
    for note in notes:
        fast, reference = decoder(note), system.app.mapper.to_domain_event(note)
        expected = {k: v for k, v in reference.__dict__.items() if k not in UNREAD_METADATA}
        assert _typed(fast.__dict__) == _typed(expected), note.topic
        with pytest.raises(AttributeError):
            _ = fast.correlation_id  # absent, never a wrong value


async def test_no_view_reads_the_metadata_the_projector_leaves_out(
    system: System, db: ReadDatabase
) -> None:
    # A handler reading an omitted field raises AttributeError and parks its event.
    generate(system.app, 3000, organisations=30, groups=5)
    runner = ProjectionRunner(db, system.app)
    await runner.catch_up()
    head = system.app.recorder.max_notification_id()
    assert await db.fetchval("SELECT COUNT(*) FROM parked_events") == 0
    positions = await db.fetch("SELECT view, position FROM projection_tracking")
    assert {row["view"] for row in positions} == {view.name for view in ALL_VIEWS}
    assert all(row["position"] == head for row in positions), positions


#: Modules that read whole log entries (envelopes, every field present), never an event
#: the projector decoded: the merged joint groups (decision 48).
READ_FROM_LOG_ENTRIES = {"joint_view.py", "queries/joint_groups.py"}


def test_no_projection_code_names_the_omitted_metadata() -> None:
    # Every handler, including those of topics no synthetic log or demo records.
    package = Path(projections.__file__).parent
    found = []
    for module in sorted(package.rglob("*.py")):
        if str(module.relative_to(package)) in READ_FROM_LOG_ENTRIES:
            continue
        for node in ast.walk(ast.parse(module.read_text(), str(module))):
            named = None
            if isinstance(node, ast.Attribute):
                named = node.attr
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr"}
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                named = node.args[1].value
            if named in UNREAD_METADATA:
                found.append(f"{module.relative_to(package)}:{node.lineno} reads {named}")
    assert not found, found
