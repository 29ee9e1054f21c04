"""Where a stream version sits in the log, for read-your-writes."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application

from coordination.persistence.event_log import EventLog, events_table
from coordination.persistence.readdb import ReadDatabase


async def position_of(
    db: ReadDatabase, app: Application[UUID], stream_id: UUID, version: int
) -> int | None:
    """The notification id of version `version` of `stream_id`, or None if not recorded.

    A mutation that knows its result's stream and version can wait for exactly that
    position with `ProjectionRunner.wait_until`. (Right after a command, the cheaper
    ``app.recorder.max_notification_id()`` is an upper bound that also works.)
    """
    return await EventLog(db, events_table(app)).position_of(db, stream_id, version)
