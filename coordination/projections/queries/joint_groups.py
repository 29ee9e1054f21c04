"""The joint groups as every node shows them: each group with its members' positions from
all nodes and its joint decision, read from the merged view of verified entries
(`projections.joint_view`).

Each entry counts only from the log it must come from: a group and its decision from its
lead's log, a position from its member's own log. A listed position is marked `shown`
when this node holds that very entry (same origin, event id and leaf hash), verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from coordination.domain.joint_group import JointGroup, JointPosition
from coordination.domain.joint_parts import joint_audience
from coordination.projections.joint_view import JointEntry, JointView


@dataclass(frozen=True)
class LoggedAt:
    """Where an entry is: its log's origin, index, event id and leaf hash (hex)."""

    origin: str
    index: int
    event_id: str
    leaf_hash: str
    occurred_at: str


@dataclass(frozen=True)
class JointPositionView:
    """A member's position, from its own log."""

    entry: LoggedAt
    position: str
    reason: str | None


@dataclass(frozen=True)
class ListedPosition:
    """A position as the joint decision lists it, and whether this node holds that entry."""

    origin: str
    event_id: str
    leaf_hash: str
    position: str
    shown: bool


@dataclass(frozen=True)
class JointDecisionView:
    """The joint decision, from the lead's log."""

    entry: LoggedAt
    statement: str
    positions: list[ListedPosition]


@dataclass
class JointGroupView:
    """A joint group with its positions and decision, merged from every log."""

    id: UUID
    name: str
    topic: str
    purpose: str
    lead_origin: str
    members: tuple[str, ...]
    entry: LoggedAt
    positions: list[JointPositionView] = field(default_factory=list)
    decision: JointDecisionView | None = None


async def joint_groups(view: JointView) -> list[JointGroupView]:
    """Every joint group this node holds verified entries of, by name and lead."""
    await view.catch_up()
    return merged(await view.entries())


async def joint_group(view: JointView, group_id: UUID) -> JointGroupView | None:
    """One joint group, or None when this node holds no verified entry establishing it."""
    return next((g for g in await joint_groups(view) if g.id == group_id), None)


async def joint_audiences(view: JointView, origin: str) -> frozenset[str]:
    """The audiences of the joint groups `origin` is a member of (for the feed's filter)."""
    groups = await joint_groups(view)
    return frozenset(joint_audience(g.id) for g in groups if origin in g.members)


def merged(entries: list[JointEntry]) -> list[JointGroupView]:
    """The groups the entries tell of, each entry counted only from the log it belongs in."""
    groups: dict[UUID, JointGroupView] = {}
    for e in entries:
        if _topic(e) == JointGroup.Established.TOPIC and e.origin == e.data.get("lead_origin"):
            group_id = _uuid(e.subject)
            if group_id is not None and group_id not in groups:
                partners = [str(m) for m in e.data.get("members", []) if isinstance(m, str)]
                groups[group_id] = JointGroupView(
                    id=group_id,
                    name=str(e.data.get("name", "")),
                    topic=str(e.data.get("topic", "")),
                    purpose=str(e.data.get("purpose", "")),
                    lead_origin=e.origin,
                    members=(e.origin, *partners),
                    entry=_at(e),
                )
    held = {(e.origin, e.event_id, e.leaf_hash) for e in entries}
    for e in entries:
        group = groups.get(_uuid(str(e.data.get("group_id", e.subject))) or UUID(int=0))
        if group is None:
            continue
        if _topic(e) == JointPosition.Taken.TOPIC:
            _add_position(group, e)
        elif _topic(e) == JointGroup.DecisionAdopted.TOPIC:
            _add_decision(group, e, held)
    ordered = sorted(groups.values(), key=lambda g: (g.name.casefold(), g.lead_origin))
    for group in ordered:
        group.positions.sort(key=lambda p: group.members.index(p.entry.origin))
    return ordered


def _add_position(group: JointGroupView, e: JointEntry) -> None:
    own = e.origin == e.data.get("member_origin")
    taken = {p.entry.origin for p in group.positions}
    if own and e.origin in group.members and e.origin not in taken:
        reason = e.data.get("reason")
        group.positions.append(
            JointPositionView(
                _at(e), str(e.data.get("position", "")), None if reason is None else str(reason)
            )
        )


def _add_decision(group: JointGroupView, e: JointEntry, held: set[tuple[str, str, str]]) -> None:
    if e.origin != group.lead_origin or group.decision is not None:
        return
    listed = [p for p in e.data.get("positions", []) if isinstance(p, dict)]
    group.decision = JointDecisionView(
        _at(e),
        str(e.data.get("statement", "")),
        [
            ListedPosition(
                origin=str(p.get("origin", "")),
                event_id=str(p.get("event_id", "")),
                leaf_hash=str(p.get("leaf_hash", "")),
                position=str(p.get("position", "")),
                shown=(p.get("origin"), p.get("event_id"), p.get("leaf_hash")) in held,
            )
            for p in listed
        ],
    )


def _topic(e: JointEntry) -> str:
    return e.type.rsplit(".v", 1)[0]


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _at(e: JointEntry) -> LoggedAt:
    return LoggedAt(e.origin, e.index, e.event_id, e.leaf_hash, str(e.envelope.get("time", "")))
