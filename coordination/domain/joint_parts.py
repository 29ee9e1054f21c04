"""The values of B8's joint working groups: topics, ids every node derives alike, the
audience of a group's entries, and a partner's position as a joint decision lists it.

A joint group lives in several logs at once: the lead node records the group and its
decision, every member node its own position. So the group's id is derived from what
names it (the lead's origin and the group's name) rather than drawn at random, and a
position names the group by that id; a node's position stream is derived from the group
and the node's origin, so a node takes one position per group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.partners import origin

#: Partner nodes one group may have besides its lead (five nodes today; room to grow).
MEMBERS_MAX = 20
#: The prefix of a joint group's audience: its members' nodes see its entries.
JOINT_AUDIENCE_PREFIX = "joint:"
_LEAF_HASH = re.compile(r"[0-9a-f]{64}")


class JointTopic(StrEnum):
    """What a joint working group works on (B8)."""

    SOCIAL_ACCOUNTING = "social_accounting"
    SUPPORT_SERVICES = "support_services"
    VOLUNTARY_AND_PROFESSIONAL_WORK = "voluntary_and_professional_work"


def joint_group_id(lead_origin: str, name: str) -> UUID:
    """The id of the group `name` led by `lead_origin`, the same on every node.

    The name counts without case or surrounding spaces: one lead cannot establish two
    groups whose names differ only by case.
    """
    return uuid5(NAMESPACE_URL, f"urn:coordination:joint-group:{lead_origin}:{name.casefold()}")


def joint_position_id(group_id: UUID, member_origin: str) -> UUID:
    """The stream of `member_origin`'s position on the group, in that node's own log."""
    return uuid5(group_id, f"position:{member_origin}")


def joint_audience(group_id: UUID) -> str:
    """The audience of the entries about a joint group: its members' nodes see them."""
    return f"{JOINT_AUDIENCE_PREFIX}{group_id}"


def joint_group_of(audience: str) -> UUID | None:
    """The joint group an audience names, if it names one."""
    if not audience.startswith(JOINT_AUDIENCE_PREFIX):
        return None
    try:
        return UUID(audience.removeprefix(JOINT_AUDIENCE_PREFIX))
    except ValueError:
        return None


@dataclass(frozen=True)
class PositionRef:
    """A position as a joint decision lists it: the log it is in (its origin), its event
    id and its RFC 9162 leaf hash (lowercase hex), which anyone can verify."""

    origin: str
    event_id: UUID
    leaf_hash: str


@dataclass(frozen=True)
class VerifiedPosition:
    """A listed position as its log shows it, once verified: the group it is about and
    what it says."""

    ref: PositionRef
    group_id: UUID
    position: str


class PositionNotFound(NotFound):
    """A listed position is not in the log of the origin it is listed for."""


class PositionUnverified(RuleViolation):
    """A listed position is in that log, but does not verify as listed."""


def position_refs(
    raw: Sequence[tuple[str, str, str]], field: str = "positions"
) -> list[PositionRef]:
    """The positions a joint decision lists, as (origin, event id, leaf hash) triples.

    Raises:
        InvalidInput: None listed, too many, or an origin, id or hash malformed; the
            field names the item at fault.
    """
    if not raw:
        raise InvalidInput("must list the position of every member of the group", field=field)
    if len(raw) > MEMBERS_MAX + 1:
        raise InvalidInput(f"may list at most {MEMBERS_MAX + 1} positions", field=field)
    refs: list[PositionRef] = []
    for index, (where_from, event_id, leaf_hash) in enumerate(raw):
        item = f"{field}[{index}]"
        try:
            parsed = UUID(str(event_id).strip())
        except ValueError:
            raise InvalidInput("is not a UUID", field=f"{item}.event_id") from None
        digest = str(leaf_hash).strip().lower()
        if not _LEAF_HASH.fullmatch(digest):
            raise InvalidInput(
                "must be a SHA-256 leaf hash: 64 hexadecimal characters", field=f"{item}.leaf_hash"
            )
        refs.append(PositionRef(origin(where_from, f"{item}.origin"), parsed, digest))
    return refs


def members(lead_origin: str, partners: Sequence[str], field: str = "members") -> list[str]:
    """The group's partner nodes besides its lead, checked, in the order given.

    Raises:
        InvalidInput: None, too many, one named twice, the lead itself, or a malformed
            origin.
    """
    if not partners:
        raise InvalidInput("must name at least one partner besides the lead", field=field)
    if len(partners) > MEMBERS_MAX:
        raise InvalidInput(f"may name at most {MEMBERS_MAX} partners", field=field)
    checked: list[str] = []
    for index, partner in enumerate(partners):
        item = f"{field}[{index}]"
        cleaned = origin(partner, item)
        if cleaned == lead_origin:
            raise InvalidInput("is the lead: the lead is a member already", field=item)
        if cleaned in checked:
            raise InvalidInput(f"names {cleaned} a second time", field=item)
        checked.append(cleaned)
    return checked


def check_listed(refs: Sequence[PositionRef], member_origins: Sequence[str]) -> None:
    """A joint decision lists one position of every member, nothing else, nothing twice.

    Raises:
        RuleViolation: A position listed twice, one of a node that is no member, two of
            one member, or a member's position missing.
    """
    seen_ids: set[UUID] = set()
    by_origin: set[str] = set()
    for ref in refs:
        if ref.event_id in seen_ids:
            raise RuleViolation(f"the position {ref.event_id} is listed twice")
        seen_ids.add(ref.event_id)
        if ref.origin not in member_origins:
            raise RuleViolation(f"{ref.origin} is not a member of this joint group")
        if ref.origin in by_origin:
            raise RuleViolation(f"{ref.origin} has two positions listed: list its one position")
        by_origin.add(ref.origin)
    missing = [member for member in member_origins if member not in by_origin]
    if missing:
        raise RuleViolation(
            f"the position of {', '.join(missing)} is missing: a joint decision lists the"
            " position of every member"
        )
