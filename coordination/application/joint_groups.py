"""Use cases of B8's joint working groups: establish one, take this node's position on
one, adopt the joint decision as its lead.

A joint decision lists every member's position as (origin, event id, leaf hash); each is
in the log of its node, so the check that it exists and verifies is a port
(`PeerPositions`) the composition root implements over the partners' synced logs and the
node's own log. This layer reads no log itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.cooperation import AGREEMENT_ID, CooperationAgreement
from coordination.domain.errors import NotFound, RuleViolation
from coordination.domain.joint_group import JointGroup, JointPosition
from coordination.domain.joint_parts import (
    PositionRef,
    PositionUnverified,
    VerifiedPosition,
    joint_position_id,
    position_refs,
)
from coordination.domain.partners import origin

#: The CloudEvents type of a position, as a member's log holds it.
POSITION_TYPE = f"{JointPosition.Taken.TOPIC}.v{getattr(JointPosition.Taken, 'class_version', 1)}"


class PeerPositions(Protocol):
    """Where a listed position is looked up: the synced log of its origin, or this node's
    own log for its own positions."""

    def verified(self, ref: PositionRef) -> Mapping[str, Any]:
        """The envelope of the entry `ref` names, once it verified: the entry holds the
        event `ref.event_id`, its leaf hash is `ref.leaf_hash`, its bytes hash to it, and
        it lies below the latest checkpoint of that log this node verified.

        Raises:
            PositionNotFound: No entry of that event in the log of `ref.origin` here.
            PositionUnverified: The entry is there but does not verify as listed (another
                leaf hash, bytes that do not hash to it, beyond the verified checkpoint,
                or a stub this node may not read).
        """
        ...

    def members_of(self, lead_origin: str, group_id: UUID) -> tuple[str, ...] | None:
        """The members of the group `group_id` as the synced log of its lead establishes
        it (verified), or None when this node holds no such group."""
        ...


class NoPeerPositions:
    """The port before the composition root wires the logs: nothing verifies."""

    def members_of(self, lead_origin: str, group_id: UUID) -> tuple[str, ...] | None:  # noqa: ARG002
        return None

    def verified(self, ref: PositionRef) -> Mapping[str, Any]:
        raise PositionUnverified(
            f"this node does not read the partners' logs here, so the position {ref.event_id}"
            f" of {ref.origin} cannot be verified"
        )


class JointGroupUseCases(CommandRunner):
    """Commands on the `JointGroup` and `JointPosition` streams."""

    #: Set by the composition root once the node's logs are open.
    peer_positions: PeerPositions = NoPeerPositions()

    def establish_joint_group(
        self,
        ctx: Context,
        *,
        name: str,
        topic: str,
        purpose: str,
        members: Sequence[str],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        partners = list(members)

        def handle() -> Outcome:
            group = JointGroup.establish(
                ctx, group_name=name, topic=topic, purpose=purpose, partners=partners
            )
            self._admitted(group.partners, "members")
            if self._exists(JointGroup, group.id):
                raise RuleViolation(f"this node leads a joint group named {group.name!r} already")
            return Outcome(group, created_id=group.id)

        return self._run(
            ctx,
            "establish_joint_group",
            handle,
            options,
            name=name,
            topic=topic,
            purpose=purpose,
            members=partners,
        )

    def take_joint_position(
        self,
        ctx: Context,
        *,
        group_id: UUID,
        lead_origin: str,
        position: str,
        reason: str | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            known: tuple[str, ...] | None = None
            if lead_origin.strip() == ctx.origin:
                known = self.load(JointGroup, group_id, options).member_origins
            else:
                self._admitted([lead_origin], "lead_origin")
                # A position is served only to the members this node knows: one taken
                # before the group reached it would reach its lead as a stub, for good.
                known = self.peer_positions.members_of(lead_origin.strip(), group_id)
                if known is None:
                    raise NotFound(
                        f"this node holds no joint group {group_id} of {lead_origin.strip()}"
                        " yet: its position can be taken once the lead's log is synced here"
                    )
            if self._exists(JointPosition, joint_position_id(group_id, ctx.origin)):
                raise RuleViolation(f"{ctx.origin} has taken its position on this joint group")
            taken = JointPosition.take(
                ctx,
                group_id=group_id,
                lead_origin=lead_origin,
                member_origins=known,
                position=position,
                reason=reason,
            )
            return Outcome(taken, created_id=taken.id)

        return self._run(
            ctx,
            "take_joint_position",
            handle,
            options,
            group_id=str(group_id),
            lead_origin=lead_origin,
            position=position,
            reason=reason,
        )

    def adopt_joint_decision(
        self,
        ctx: Context,
        *,
        group_id: UUID,
        statement: str,
        positions: Sequence[tuple[str, str, str]],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        listed = [(str(where), str(event), str(leaf)) for where, event, leaf in positions]

        def handle() -> Outcome:
            refs = position_refs(listed)
            group = self.load(JointGroup, group_id, options)
            group.check_adoption(ctx, refs)
            group.adopt_decision(
                ctx, statement=statement, positions=[self._verified(ref) for ref in refs]
            )
            return Outcome(group)

        return self._run(
            ctx,
            "adopt_joint_decision",
            handle,
            options,
            group_id=str(group_id),
            statement=statement,
            positions=listed,
        )

    def _verified(self, ref: PositionRef) -> VerifiedPosition:
        """The listed position as its log holds it, refused unless it is a position of
        that node."""
        envelope = self.peer_positions.verified(ref)
        data = envelope.get("data")
        kind = envelope.get("type")
        if kind != POSITION_TYPE or not isinstance(data, Mapping):
            raise PositionUnverified(
                f"the entry {ref.event_id} of {ref.origin} is no joint position (it is {kind!r})"
            )
        if envelope.get("source") != ref.origin or data.get("member_origin") != ref.origin:
            raise PositionUnverified(
                f"the position {ref.event_id} is not {ref.origin}'s own: a member records its"
                " position in its own log"
            )
        try:
            group = UUID(str(data.get("group_id")))
        except ValueError:
            raise PositionUnverified(
                f"the position {ref.event_id} of {ref.origin} names no joint group"
            ) from None
        return VerifiedPosition(ref, group, str(data.get("position")))

    def _admitted(self, origins: Sequence[str], field: str) -> None:
        """Refuse a node that is not an admitted partner of this node's agreement."""
        try:
            agreement = self.load(CooperationAgreement, AGREEMENT_ID)
        except NotFound:
            raise NotFound(
                "no cooperation agreement is signed yet: joint groups are with its partners"
            ) from None
        for index, where_from in enumerate(origins):
            at = field if field == "lead_origin" else f"{field}[{index}]"
            # Checked as an origin first: the refusal below repeats it, so it must hold
            # no control character (nor anything else an origin cannot be).
            cleaned = origin(where_from, at)
            if cleaned not in agreement.partners:
                raise NotFound(f"{at}: {cleaned} is not an admitted partner of this node")

    def _exists(self, cls: type[JointGroup] | type[JointPosition], stream_id: UUID) -> bool:
        try:
            self.load(cls, stream_id)
        except NotFound:
            return False
        return True
