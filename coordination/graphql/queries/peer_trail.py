"""The audit trail's part over the partners' synced logs (decision 49).

The trail lists this node's own log first, in position order, then each partner's synced
log, by origin and then by index. A cursor in a partner's part names the origin and the
index to go on from, so a page ends exactly where it stopped whatever other logs hold,
and the order is the same for every reader and every request.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anyio import to_thread

from coordination.graphql.errors import bad_input
from coordination.graphql.peer_events import PeerEntries, PeerEvent, peer_event

if TYPE_CHECKING:
    from coordination.graphql.queries.audit import AuditFilter
    from coordination.graphql.visibility import Visibility

_KIND = "audit-peer"
_BATCH = 500


@dataclass(frozen=True)
class PeerCursor:
    """Where the trail goes on in the partners' logs: at `index` of `origin`."""

    origin: str
    index: int

    def encode(self) -> str:
        raw = f"{_KIND}:{self.index}:{self.origin}"
        return base64.urlsafe_b64encode(raw.encode()).decode()


def parse_peer_cursor(raw: str) -> PeerCursor:
    """The peer cursor in a decoded cursor's text (`audit-peer:<index>:<origin>`).

    Raises:
        GraphQLError: BAD_USER_INPUT, naming `after`, for anything else.
    """
    kind, _, rest = raw.partition(":")
    index, _, origin = rest.partition(":")
    if kind != _KIND or not index.isdigit() or not origin:
        raise bad_input("this cursor is not one of the audit trail's", "after")
    return PeerCursor(origin, int(index))


def decoded_cursor(cursor: str) -> str:
    """A cursor's text (base64url-decoded); refused as `after` when it is not text."""
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_input("this cursor is not one of the audit trail's", "after") from None


@dataclass
class PeerScan:
    """What one request found in the partners' logs.

    Attributes:
        matched: The events that pass the filter, in trail order.
        stop: Where the scan stopped (the next request goes on there).
        exhausted: Whether every log was read to its verified end.
        scanned: How many entries were decoded.
    """

    matched: list[PeerEvent]
    stop: PeerCursor | None
    exhausted: bool
    scanned: int = 0


async def scan_peers(
    port: PeerEntries,
    *,
    where: AuditFilter,
    topics: list[str],
    hidden: tuple[str, ...],
    visibility: Visibility,
    start: PeerCursor | None,
    need: int,
    budget: int,
) -> PeerScan:
    """Up to `need` events of the partners' logs from `start` (None: the first) on that
    pass the filter and the caller may see, decoding at most `budget` entries."""
    origins = await to_thread.run_sync(port.origins)
    if where.origin is not None:
        origins = [o for o in origins if o == where.origin]
    if start is not None:
        origins = [o for o in origins if o >= start.origin]
    scan = PeerScan([], start, exhausted=False)
    for origin in origins:
        index = start.index if start is not None and origin == start.origin else 0
        scan.stop = PeerCursor(origin, index)
        while True:
            batch = await to_thread.run_sync(port.entries, origin, index, _BATCH)
            if not batch:
                break
            for at, body in batch:
                index, scan.scanned = at + 1, scan.scanned + 1
                scan.stop = PeerCursor(origin, index)
                event = peer_event(origin, at, body)
                shown = event is not None and _matches(where, topics, hidden, event)
                if event is not None and shown and await visibility.sees_audience(event.audience):
                    scan.matched.append(event)
                if len(scan.matched) >= need or scan.scanned >= budget:
                    return scan
    scan.exhausted = True
    return scan


def _matches(
    where: AuditFilter, topics: list[str], hidden: tuple[str, ...], event: PeerEvent
) -> bool:
    if topics and event.topic not in topics:
        return False
    if event.topic in hidden:
        return False
    if where.stream_id is not None and event.stream_id != where.stream_id:
        return False
    if where.actor is not None and event.actor != where.actor:
        return False
    if where.organisation_id is not None and event.acting_for != where.organisation_id:
        return False
    if where.recorded_from is not None and event.recorded_at < where.recorded_from:
        return False
    return where.recorded_before is None or event.recorded_at < where.recorded_before
