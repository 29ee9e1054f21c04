"""The audit view: the trail of recorded events and the state of any stream in the past.

Both read the event store itself, not the views, and both are for the secretariat and
auditors only. The trail pages through the log in position order. Stream and type are
conditions on the log's table; the node's internal records are left out unless the
filter asks for them. Actor and organisation are inside each event's stored
state: the database first keeps only the events whose stored bytes contain them
(`state_needles`), within `SCAN_WINDOW` positions per request, and the decoded events
are then filtered exactly, as is the recording time. A sparse filter may therefore
return a page with fewer than `first` events, even none: continue from `endCursor`
while `hasNextPage`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import Enum
from functools import partial
from uuid import UUID

import strawberry
from anyio import to_thread
from eventsourcing.application import AggregateNotFoundError
from strawberry.scalars import JSON

from coordination.application import Coordination
from coordination.graphql.cacheability import READS_LIVE
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import bad_input
from coordination.graphql.event_log import EventReader, LoggedEvent, state_needles
from coordination.graphql.event_types import event_topics, hidden_topics
from coordination.graphql.jsonable import public_state
from coordination.graphql.moments import aware
from coordination.graphql.relay import DEFAULT_PAGE, Connection, Edge, PageInfo, check_first
from coordination.graphql.types.recorded_event import RecordedEvent
from coordination.graphql.types.stream_state import StreamState

Info = strawberry.Info[GraphQLContext, None]

#: Most events one trail request decodes while looking for matches.
SCAN_LIMIT = 5000
#: Most positions of the log one request looks through when the database can skip the
#: events that cannot match (a filter on actor or organisation): scanning bytes is cheap,
#: but a request's work stays bounded on a log of millions.
SCAN_WINDOW = 200_000
_BATCH = 500


@strawberry.enum(description="Which clock `asOf` is read on.")
class TimeBasis(Enum):
    RECORDED = "recorded"
    OCCURRED = "occurred"


@strawberry.input(description="Which events the audit trail lists; every field narrows it.")
class AuditFilter:
    stream_id: UUID | None = None
    actor: str | None = strawberry.field(default=None, description="Pseudonymous person id.")
    organisation_id: UUID | None = strawberry.field(
        default=None, description="The organisation acted for."
    )
    recorded_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    recorded_before: datetime | None = strawberry.field(default=None, description="Exclusive.")
    types: list[str] | None = strawberry.field(
        default=None,
        description="Event types, as the trail shows them (coordination.decision."
        "position_taken.v1) or without their version (coordination.decision.position_taken).",
    )
    include_internal: bool = strawberry.field(
        default=False,
        description="Also the node's internal records (coordination.command.handled:"
        " idempotency keys' records), which are listed only when asked for, here or by"
        " naming them in `types`.",
    )

    def matches(self, event: LoggedEvent) -> bool:
        if self.actor is not None and event.actor != self.actor:
            return False
        if self.organisation_id is not None and event.acting_for != self.organisation_id:
            return False
        if self.recorded_from is not None and event.recorded_at < self.recorded_from:
            return False
        return self.recorded_before is None or event.recorded_at < self.recorded_before


def audit_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"audit:{position}".encode()).decode()


def parse_audit_cursor(cursor: str) -> int:
    try:
        kind, _, raw = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        position = int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_input("this cursor is not one of the audit trail's", "after") from None
    if kind != "audit" or position < 0:
        raise bad_input("this cursor is not one of the audit trail's", "after")
    return position


async def audit_trail(
    info: Info, where: AuditFilter | None, first: int, after: str | None
) -> Connection[RecordedEvent]:
    info.context.visibility.require_everything("the audit trail")
    check_first(first)
    where = where or AuditFilter()
    topics = event_topics(where.types)
    hidden = hidden_topics(topics, include_internal=where.include_internal)
    aware(where.recorded_from, "recordedFrom")
    aware(where.recorded_before, "recordedBefore")
    app = info.context.services.app
    reader = EventReader(info.context.services.db, app)
    start = position = parse_audit_cursor(after) if after is not None else 0
    needles = state_needles(app.mapper, actor=where.actor, organisation=where.organisation_id)
    until = position + SCAN_WINDOW if needles else None
    matched: list[LoggedEvent] = []
    scanned, exhausted = 0, False
    while len(matched) <= first and scanned < SCAN_LIMIT:
        batch = await reader.after(
            position,
            _BATCH,
            stream_id=where.stream_id,
            topics=topics,
            excluding=hidden,
            until=until,
            containing=needles,
        )
        if not batch:
            if until is not None and until < await reader.head():
                position = until  # nothing more in this window: the next request goes on
            else:
                exhausted = True
            break
        for event in batch:
            position, scanned = event.position, scanned + 1
            if where.matches(event):
                matched.append(event)
                if len(matched) > first:
                    break
    more = len(matched) > first or not exhausted
    page = matched[:first]
    edges = [
        Edge(node=RecordedEvent.from_logged(e), cursor_of=partial(audit_cursor, e.position))
        for e in page
    ]
    # A full page ends at its last event (an empty one, `first: 0`, where it began); a
    # page cut short by the scan limit ends where the scan stopped, so the next request
    # does not read the same events again.
    full = len(matched) > first
    end = (page[-1].position if page else start) if full else position
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=after is not None,
            start_cursor_of=lambda: audit_cursor(page[0].position) if edges else None,
            end_cursor_of=lambda: audit_cursor(end) if edges or more else None,
        ),
    )


def state_at(
    app: Coordination,
    stream_id: UUID,
    version: int | None,
    as_of: datetime | None,
    basis: TimeBasis,
) -> StreamState | None:
    """The stream's public state at `version`, or at the last version at or before `as_of`."""
    events = list(app.events.get(stream_id))
    if not events:
        return None
    chosen = events[-1]
    if version is not None:
        if not 1 <= version <= len(events):
            raise bad_input(f"the stream has versions 1 to {len(events)}", "version")
        chosen = events[version - 1]
    elif as_of is not None:
        before = [e for e in events if _time(e, basis) <= as_of]
        if not before:
            return None
        chosen = before[-1]
    try:
        aggregate: object = app.repository.get(stream_id, version=chosen.originator_version)
    except AggregateNotFoundError:
        return None
    return StreamState(
        stream_id=stream_id,
        kind=str(getattr(type(aggregate), "KIND", type(aggregate).__name__)),
        version=chosen.originator_version,
        recorded_at=getattr(chosen, "timestamp"),  # noqa: B009
        occurred_at=getattr(chosen, "occurred_at", None),
        state=JSON(public_state(aggregate)),
    )


def _time(event: object, basis: TimeBasis) -> datetime:
    if basis is TimeBasis.OCCURRED:
        occurred: datetime | None = getattr(event, "occurred_at", None)
        if occurred is not None:
            return occurred
    recorded: datetime = getattr(event, "timestamp")  # noqa: B009
    return recorded


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="Recorded events by stream, actor, organisation and time.", metadata=READS_LIVE
    )
    async def audit_trail(
        self,
        info: Info,
        where: AuditFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[RecordedEvent] | None:
        return await audit_trail(info, where, first, after)

    @strawberry.field(
        description="A stream's state at a version, or as of a moment (time travel);"
        " null when the stream did not exist then.",
        metadata=READS_LIVE,
    )
    async def stream_state(
        self,
        info: Info,
        stream_id: UUID,
        version: int | None = None,
        as_of: datetime | None = None,
        time_basis: TimeBasis = TimeBasis.RECORDED,
    ) -> StreamState | None:
        info.context.visibility.require_everything("past states of streams")
        if version is not None and as_of is not None:
            raise bad_input("give a version or a moment, not both", "asOf")
        aware(as_of, "asOf")
        app = info.context.services.app
        return await to_thread.run_sync(state_at, app, stream_id, version, as_of, time_basis)
