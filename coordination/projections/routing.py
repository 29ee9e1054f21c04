"""Which forum an event concerns, so subscriptions can follow one forum.

Creation events name their forum (a decision's forum, an action's group or partnership,
a workshop's partnership); the partnership's and groups' own events are their forum's.
Later events of decisions, actions and workshops carry no forum, so the projector keeps
stream -> forum, in memory and in ``projection_stream_forums`` for after a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from coordination.domain.action import Action
from coordination.domain.decision import Decision
from coordination.domain.partnership import Partnership
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop
from coordination.persistence.readdb import Handle

if TYPE_CHECKING:
    from coordination.projections.processing import Outcome

#: Streams looked up per page at most (the rest stay unrouted for that page's notices).
LOOKUP_MAX = 500


def own_forum(event: Any) -> UUID | None:
    """The forum of a partnership's or working group's event: the stream itself."""
    if _is_forum_event(type(event)):
        stream: UUID = event.originator_id
        return stream
    return None


def named_forum(event: Any) -> UUID | None:
    """The forum a creation event names for its (new) stream, if it is one."""
    kind = type(event)
    read = _forum_readers.get(kind, _UNSEEN)
    if read is _UNSEEN:
        read = _forum_readers[kind] = _forum_reader(kind)
    return None if read is None else read(event)


# Per event class, worked out once: these run for every event of a catch-up.
_UNSEEN: Any = object()
_forum_readers: dict[type, Callable[[Any], UUID] | None] = {}


_forum_events: dict[type, bool] = {}


def _is_forum_event(kind: type) -> bool:
    known = _forum_events.get(kind)
    if known is None:
        topic = str(getattr(kind, "TOPIC", ""))
        known = topic.startswith((Partnership.TOPIC + ".", WorkingGroup.TOPIC + "."))
        _forum_events[kind] = known
    return known


def _forum_reader(kind: type) -> Callable[[Any], UUID] | None:
    if issubclass(kind, (Decision.ProposalTabled, Decision.DecisionRecordedFromMinutes)):
        return lambda event: cast(UUID, event.forum_id)
    if issubclass(kind, Action.Assigned):
        return lambda event: cast(UUID, event.group_id or event.partnership_id)
    if issubclass(kind, Workshop.Planned):
        return lambda event: cast(UUID, event.partnership_id)
    return None


async def route_unknown(handle: Handle, outcome: Outcome, routes: dict[UUID, UUID]) -> None:
    """Find the forums of streams whose creation this process has not seen, from the table."""
    unknown = {s for streams in outcome.unrouted.values() for s in streams} - set(routes)
    if not unknown:
        return
    wanted = list(unknown)[:LOOKUP_MAX]
    placeholders = ", ".join(f"${n}" for n in range(1, len(wanted) + 1))
    rows = await handle.fetch(
        "SELECT stream_id, forum_id FROM projection_stream_forums"  # noqa: S608
        f" WHERE stream_id IN ({placeholders})",
        *[str(s) for s in wanted],
    )
    found = {UUID(r["stream_id"]): UUID(r["forum_id"]) for r in rows}
    routes.update(found)
    for name, streams in outcome.unrouted.items():
        outcome.touched[name].forums.update(found[s] for s in streams if s in found)
