"""The event store's log as the audit trail and the event tail read it.

Rows are read with the event table's one reader (`persistence.event_log`) and decoded
by the library's own mapper, so upcasters and transcodings apply unchanged. Each event
comes with the metadata the brief requires.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification

from coordination.application import Coordination
from coordination.graphql.jsonable import jsonable
from coordination.persistence.event_log import EventLog, events_table
from coordination.persistence.readdb import ReadDatabase
from coordination.persistence.transcodings import plain_transcodings

log = logging.getLogger("coordination.graphql.events")

#: Event attributes that are metadata or the library's, not the event's own data.
_NOT_DATA = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "event_id",
        "occurred_at",
        "actor",
        "acting_for",
        "origin",
        "correlation_id",
        "causation_id",
        "audience",
        "originator_topic",
    }
)


@dataclass(frozen=True)
class LoggedEvent:
    """One recorded event with its metadata and its data."""

    position: int
    stream_id: UUID
    version: int
    topic: str
    type: str
    event_id: UUID | None
    occurred_at: datetime | None
    recorded_at: datetime
    actor: str | None
    acting_for: UUID | None
    origin: str | None
    correlation_id: UUID | None
    causation_id: UUID | None
    audience: str
    data: dict[str, Any]

    @property
    def forum_id(self) -> UUID | None:
        """The working group whose members alone see this event, if any."""
        if not self.audience.startswith("forum:"):
            return None
        try:
            return UUID(self.audience.removeprefix("forum:"))
        except ValueError:
            return None


class EventReader:
    """Reads and decodes the log; `after` pages through it in position order."""

    def __init__(self, db: ReadDatabase, app: Coordination) -> None:
        self.db, self.app = db, app
        self.log = EventLog(db, events_table(app))

    async def head(self) -> int:
        """The highest position recorded (0 for an empty or unmigrated store)."""
        try:
            return await self.log.head(self.db)
        except Exception as error:  # the store's tables may not exist yet
            if self.log.table in str(error):
                return 0
            raise

    async def after(
        self,
        position: int,
        limit: int,
        *,
        stream_id: UUID | None = None,
        topics: Sequence[str] = (),
        excluding: Sequence[str] = (),
        until: int | None = None,
        containing: Sequence[bytes] = (),
    ) -> list[LoggedEvent]:
        """Up to `limit` events after `position` (and at or before `until`), of one stream
        and of some topics if given, none of the `excluding` topics, whose stored state
        contains each of `containing`."""
        notifications = await self.log.read(
            self.db,
            position,
            limit,
            until=until,
            topics=topics,
            excluding=excluding,
            stream_id=stream_id,
            containing=containing,
        )
        return [self.decode(notification) for notification in notifications]

    def decode(self, notification: Notification) -> LoggedEvent:
        """The event of a stored notification, with its metadata.

        An event this node cannot decode (a topic it does not know) is shown as such,
        restricted to those who read everything, rather than stopping the reader.
        """
        try:
            event: Any = self.app.mapper.to_domain_event(notification)
        except Exception:
            log.exception(
                "an event could not be decoded",
                extra={"fields": {"position": notification.id, "topic": notification.topic}},
            )
            return _undecodable(notification)
        fields = vars(event)
        class_version = getattr(type(event), "class_version", 1)
        return LoggedEvent(
            position=notification.id,
            stream_id=UUID(str(notification.originator_id)),
            version=notification.originator_version,
            topic=notification.topic,
            type=f"{getattr(type(event), 'TOPIC', notification.topic)}.v{class_version}",
            event_id=fields.get("event_id"),
            occurred_at=fields.get("occurred_at"),
            recorded_at=event.timestamp,
            actor=fields.get("actor"),
            acting_for=fields.get("acting_for"),
            origin=fields.get("origin"),
            correlation_id=fields.get("correlation_id"),
            causation_id=fields.get("causation_id"),
            audience=str(fields.get("audience") or "restricted"),
            data={k: jsonable(v) for k, v in fields.items() if k not in _NOT_DATA},
        )


#: The library's JSON transcoder writes strings as this encoder does (no ASCII escaping).
_STRINGS = json.JSONEncoder(ensure_ascii=False)


def state_needles(
    mapper: Mapper[Any], *, actor: str | None, organisation: UUID | None
) -> tuple[bytes, ...]:
    """Bytes the stored state of every event by `actor` for `organisation` contains.

    Where the store holds plain JSON (the library's transcoder, no cipher, no compressor),
    an event's actor is written as a JSON string and the organisation as its 32 hex
    digits (``uuid_hex``), so the database can skip, without decoding, the events that
    cannot match. Other events may contain them too (in their data, say): the decoded
    events are still filtered exactly. Empty when the stored form is not known.
    """
    known = plain_transcodings(mapper)
    needles: list[bytes] = []
    if known and actor is not None:
        needles.append(_STRINGS.encode(actor).encode())
    if "uuid_hex" in known and organisation is not None:
        needles.append(f'"{organisation.hex}"'.encode())
    return tuple(needles)


def _undecodable(notification: Notification) -> LoggedEvent:
    return LoggedEvent(
        position=notification.id,
        stream_id=UUID(str(notification.originator_id)),
        version=notification.originator_version,
        topic=notification.topic,
        type=f"{notification.topic}.undecodable",
        event_id=None,
        occurred_at=None,
        recorded_at=datetime.fromtimestamp(0, UTC),
        actor=None,
        acting_for=None,
        origin=None,
        correlation_id=None,
        causation_id=None,
        audience="restricted",
        data={},
    )
