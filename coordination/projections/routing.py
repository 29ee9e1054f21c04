"""Which forum an event concerns, so subscriptions can follow one forum.

Creation events name their forum (a decision's forum, an action's group or partnership,
a workshop's partnership); the partnership's and groups' own events are their forum's.
Later events of decisions, actions and workshops carry no forum, so the projector keeps
stream -> forum, in memory and in ``projection_stream_forums`` for after a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
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
    if event.TOPIC.startswith((Partnership.TOPIC + ".", WorkingGroup.TOPIC + ".")):
        stream: UUID = event.originator_id
        return stream
    return None


def named_forum(event: Any) -> UUID | None:
    """The forum a creation event names for its (new) stream, if it is one."""
    if isinstance(event, (Decision.ProposalTabled, Decision.DecisionRecordedFromMinutes)):
        forum: UUID = event.forum_id
        return forum
    if isinstance(event, Action.Assigned):
        group: UUID = event.group_id or event.partnership_id
        return group
    if isinstance(event, Workshop.Planned):
        partnership: UUID = event.partnership_id
        return partnership
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
