"""The event table's one reader, held to the library's own reading of the same table."""

from __future__ import annotations

from eventsourcing.persistence import Notification

from coordination.bootstrap import System
from coordination.persistence.event_log import EventLog, events_table
from coordination.persistence.readdb import ReadDatabase
from coordination_demo import DemoSummary


def _library(system: System, after: int = 0) -> list[Notification]:
    return list(system.app.recorder.select_notifications(start=after + 1, limit=10_000))


async def test_it_reads_what_the_library_reads(
    db: ReadDatabase, system: System, demo: DemoSummary
) -> None:
    log = EventLog(db, events_table(system.app))
    everything = _library(system)
    assert demo.events == len(everything) > 100
    assert await log.head(db) == everything[-1].id
    assert await log.read(db, 0, 10_000) == everything
    assert await log.read(db, 10, 5) == everything[10:15]
    assert await log.read(db, 10, 10_000, until=40) == everything[10:40]


async def test_its_filters_pick_what_they_name(
    db: ReadDatabase, system: System, demo: DemoSummary
) -> None:
    log = EventLog(db, events_table(system.app))
    everything = _library(system)
    topics = sorted({n.topic for n in everything})[:3]
    assert await log.read(db, 0, 10_000, topics=topics) == [
        n for n in everything if n.topic in topics
    ]
    assert await log.read(db, 0, 10_000, excluding=topics) == [
        n for n in everything if n.topic not in topics
    ]
    stream = demo.partnership_id
    of_stream = [n for n in everything if n.originator_id == stream]
    assert of_stream
    assert await log.read(db, 0, 10_000, stream_id=stream) == of_stream
    # The stored state holds the stream's id as a JSON string of its hex digits.
    needle = f'"{stream.hex}"'.encode()
    containing = [n for n in everything if needle in n.state]
    assert containing
    assert await log.read(db, 0, 10_000, containing=[needle]) == containing
    assert await log.position_of(db, stream, 1) == of_stream[0].id
    assert await log.position_of(db, stream, 10_000) is None
    wanted = [everything[3].id, everything[0].id, everything[20].id]
    assert await log.read_ids(db, wanted) == [everything[0], everything[3], everything[20]]
    assert await log.read_ids(db, []) == []
