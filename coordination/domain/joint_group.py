"""B8. Joint working groups across the partner nodes, and the positions their members take.

A joint group works on one topic under a lead partner. The lead's node records the group
(`JointGroupEstablished`) and, once every member has taken its position, the joint
decision (`JointDecisionAdopted`) in its own log; each member node records its own
position (`JointPositionTaken`) in its own log. The decision lists every position as
(origin, event id, leaf hash), so anyone holding the members' logs can verify it; the
application verifies each one in the synced log of its origin before the lead may adopt.

Every entry about a group has the group's audience (`joint:<id>`): the partner nodes that
are its members see it in each other's feeds, and no other partner does.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision_rules import Position, parse_stance
from coordination.domain.errors import RuleViolation
from coordination.domain.joint_parts import (
    JointTopic,
    PositionRef,
    PositionUnverified,
    VerifiedPosition,
    check_listed,
    joint_audience,
    joint_group_id,
    joint_position_id,
    members,
)
from coordination.domain.partners import origin
from coordination.domain.values import TEXT_MAX, choice, name, text


class JointGroup(CoordinationAggregate):
    """A joint working group, in its lead node's log."""

    TOPIC = "coordination.joint_group"
    KIND = "joint group"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Established(CoordinationAggregate.Created):
        """JointGroupEstablished: the topic, the question its members decide, the lead
        (this node) and the partner nodes that are members besides it."""

        TOPIC = "coordination.joint_group.established"
        name: str
        topic: str
        purpose: str
        lead_origin: str
        members: list[str]

        def apply(self, g: JointGroup) -> None:
            g.name, g.topic, g.purpose = self.name, JointTopic(self.topic), self.purpose
            g.lead_origin, g.partners = self.lead_origin, tuple(self.members)

    class DecisionAdopted(CoordinationAggregate.Event):
        """JointDecisionAdopted: the lead's statement and every member's position, each
        as its log holds it (origin, event id, leaf hash) and what it said."""

        TOPIC = "coordination.joint_group.decision_adopted"
        statement: str
        positions: list[dict[str, str]]

        def apply(self, g: JointGroup) -> None:
            g.decided = True

    def __init__(self) -> None:
        self.name = ""
        self.topic = JointTopic.SOCIAL_ACCOUNTING
        self.purpose = ""
        self.lead_origin = ""
        self.partners: tuple[str, ...] = ()
        self.decided = False

    def audience(self) -> str:
        return joint_audience(self.id)

    @property
    def member_origins(self) -> tuple[str, ...]:
        """Every member node: the lead first, then the partners in the order named."""
        return (self.lead_origin, *self.partners)

    # -- commands ---------------------------------------------------------------

    @classmethod
    def establish(
        cls, ctx: Context, *, group_name: str, topic: str, purpose: str, partners: Sequence[str]
    ) -> JointGroup:
        """Establish a group led by this node (the context's origin) with `partners`."""
        checked_name = name(group_name, "name")
        group_id = joint_group_id(ctx.origin, checked_name)
        return cls.start(
            cls.Established,
            ctx,
            id=group_id,
            audience=joint_audience(group_id),
            name=checked_name,
            topic=choice(topic, JointTopic, "topic").value,
            purpose=text(purpose, "purpose", max_length=TEXT_MAX),
            lead_origin=ctx.origin,
            members=members(ctx.origin, partners),
        )

    def check_adoption(self, ctx: Context, refs: Sequence[PositionRef]) -> None:
        """What a joint decision needs before its positions are looked up: the lead adopts
        it, once, listing one position of every member and nothing else.

        Raises:
            RuleViolation: Another node than the lead, a decision adopted already, or a
                list that is not one position of each member.
        """
        if ctx.origin != self.lead_origin:
            raise RuleViolation(
                f"only the lead partner, {self.lead_origin}, adopts the joint decision"
            )
        if self.decided:
            raise RuleViolation("this joint group has adopted its joint decision already")
        check_listed(refs, self.member_origins)

    def adopt_decision(
        self, ctx: Context, *, statement: str, positions: Sequence[VerifiedPosition]
    ) -> None:
        """Adopt the joint decision on the members' verified positions.

        Raises:
            RuleViolation: As `check_adoption`; a position about another group; or a
                member blocking it (a joint decision is taken by consensus).
        """
        self.check_adoption(ctx, [p.ref for p in positions])
        for verified in positions:
            ref = verified.ref
            if verified.group_id != self.id:
                raise PositionUnverified(
                    f"the position {ref.event_id} of {ref.origin} is about another joint group"
                    f" ({verified.group_id}), not this one"
                )
            if verified.position == Position.BLOCK.value:
                raise RuleViolation(
                    f"{ref.origin} blocks the joint decision: a joint decision needs no block"
                )
        self.record(
            self.DecisionAdopted,
            ctx,
            statement=text(statement, "statement", max_length=TEXT_MAX),
            positions=[_listed(p) for p in positions],
        )


class JointPosition(CoordinationAggregate):
    """One member node's position on a joint group, in that node's own log."""

    TOPIC = "coordination.joint_position"
    KIND = "joint position"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Taken(CoordinationAggregate.Created):
        """JointPositionTaken: the group (its id and lead), the member node taking the
        position, and the position with its reason."""

        TOPIC = "coordination.joint_position.taken"
        group_id: UUID
        lead_origin: str
        member_origin: str
        position: str
        reason: str | None

        def apply(self, p: JointPosition) -> None:
            p.group_id, p.position = self.group_id, Position(self.position)

    def __init__(self) -> None:
        self.group_id: UUID | None = None
        self.position = Position.ABSTAIN

    def audience(self) -> str:
        return joint_audience(self.group_id) if self.group_id else super().audience()

    @classmethod
    def take(
        cls,
        ctx: Context,
        *,
        group_id: UUID,
        lead_origin: str,
        member_origins: Sequence[str] | None,
        position: str,
        reason: str | None,
    ) -> JointPosition:
        """This node's (the context's origin's) position on the group.

        Args:
            member_origins: The group's members when this node knows the group (it leads
                it); None when the group is in another node's log.

        Raises:
            RuleViolation: This node is not a member of a group it knows.
            InvalidInput: The position or its reason (needed to disagree or block).
        """
        if member_origins is not None and ctx.origin not in member_origins:
            raise RuleViolation(f"{ctx.origin} is not a member of this joint group")
        stance, why = parse_stance(position, reason)
        return cls.start(
            cls.Taken,
            ctx,
            id=joint_position_id(group_id, ctx.origin),
            audience=joint_audience(group_id),
            group_id=group_id,
            lead_origin=origin(lead_origin, "lead_origin"),
            member_origin=ctx.origin,
            position=stance.value,
            reason=why,
        )


def _listed(verified: VerifiedPosition) -> dict[str, str]:
    ref = verified.ref
    return {
        "origin": ref.origin,
        "event_id": str(ref.event_id),
        "leaf_hash": ref.leaf_hash,
        "position": verified.position,
    }
