"""The audit view: the trail of recorded events and the state of any stream in the past.

Both read the event store itself, not the views, and both are for the secretariat and
auditors only. The trail pages through the log in position order. Stream and type are
conditions on the log's table; the node's internal records are left out unless the
filter asks for them. Actor and organisation are inside each event's stored
state: the database first keeps only the events whose stored bytes contain them
(`state_needles`), within `SCAN_WINDOW` positions per request, and the decoded events
are then filtered exactly, as is the recording time. A sparse filter may therefore
return a page with fewer than `first` events, even none: continue from `endCursor`
while `hasNextPage`. After the node's own log come the events synced from its partners,
each partner's log in turn (`peer_trail`, decision 49).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
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
from coordination.graphql.peer_events import PeerEvent
from coordination.graphql.queries.peer_trail import (
    PeerCursor,
    decoded_cursor,
    parse_peer_cursor,
    scan_peers,
)
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
    origin: str | None = strawberry.field(
        default=None,
        description="The log the events were recorded in: this node's origin, or a"
        " partner's for the events synced from it; all logs when absent.",
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


def parse_audit_cursor(cursor: str) -> int | PeerCursor:
    """The own log's position after which, or the place in a partner's log from which,
    the trail goes on."""
    raw = decoded_cursor(cursor)
    if not raw.startswith("audit:"):
        return parse_peer_cursor(raw)
    try:
        position = int(raw.removeprefix("audit:"))
    except ValueError:
        raise bad_input("this cursor is not one of the audit trail's", "after") from None
    if position < 0:
        raise bad_input("this cursor is not one of the audit trail's", "after")
    return position


@dataclass
class _OwnScan:
    matched: list[LoggedEvent]
    position: int
    exhausted: bool
    scanned: int


async def _scan_own(
    info: Info,
    where: AuditFilter,
    topics: list[str],
    hidden: tuple[str, ...],
    start: int,
    need: int,
) -> _OwnScan:
    """Up to `need` events of the node's own log after `start` that pass the filter."""
    app = info.context.services.app
    reader = EventReader(info.context.services.db, app)
    position = start
    needles = state_needles(app.mapper, actor=where.actor, organisation=where.organisation_id)
    until = position + SCAN_WINDOW if needles else None
    matched: list[LoggedEvent] = []
    scanned, exhausted = 0, False
    while len(matched) < need and scanned < SCAN_LIMIT:
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
                if len(matched) >= need:
                    break
    return _OwnScan(matched, position, exhausted, scanned)


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
    services = info.context.services
    cursor = parse_audit_cursor(after) if after is not None else 0
    own = where.origin is None or where.origin == services.origin
    if isinstance(cursor, PeerCursor) and where.origin == services.origin:
        raise bad_input("this cursor is in a partner's events, not this node's", "after")
    edges: list[Edge[RecordedEvent]] = []
    stop, exhausted, scanned = after or audit_cursor(0), True, 0
    if own and isinstance(cursor, int):
        found = await _scan_own(info, where, topics, hidden, cursor, first + 1)
        scanned, exhausted = found.scanned, found.exhausted
        stop = audit_cursor(found.position)
        origin = services.origin
        edges = [_own_edge(e, origin) for e in found.matched]
    peers = services.peer_entries
    if exhausted and len(edges) <= first and peers is not None and where.origin != services.origin:
        scan = await scan_peers(
            peers,
            where=where,
            topics=topics,
            hidden=hidden,
            visibility=info.context.visibility,
            start=cursor if isinstance(cursor, PeerCursor) else None,
            need=first + 1 - len(edges),
            budget=SCAN_LIMIT - scanned,
        )
        exhausted = scan.exhausted
        stop = scan.stop.encode() if scan.stop is not None else stop
        edges += [_peer_edge(e) for e in scan.matched]
    full = len(edges) > first
    page = edges[:first]
    # A full page ends at its last event (an empty one, `first: 0`, where it began); a
    # page cut short by the scan limit ends where the scan stopped, so the next request
    # does not read the same events again.
    end = (page[-1].cursor_of() if page else after or audit_cursor(0)) if full else stop
    more = full or not exhausted
    return Connection(
        edges=page,
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=after is not None,
            start_cursor_of=lambda: page[0].cursor_of() if page else None,
            end_cursor_of=lambda: end if page or more else None,
        ),
    )


def _own_edge(event: LoggedEvent, origin: str) -> Edge[RecordedEvent]:
    node = RecordedEvent.from_logged(event, origin)
    return Edge(node=node, cursor_of=partial(audit_cursor, event.position))


def _peer_edge(event: PeerEvent) -> Edge[RecordedEvent]:
    after = PeerCursor(event.origin, event.index + 1)
    return Edge(node=RecordedEvent.from_peer(event), cursor_of=after.encode)


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
