"""B8. What this node saw of a partner's log while syncing it (FEED-PROTOCOL §6).

One stream per peer origin (`peer_log_id`): the checkpoints of the peer whose every entry
this node verified and stored (`PeerCheckpointWitnessed`), and a history conflict
(`PeerHistoryConflict`), a signed checkpoint of the peer that does not extend the one
verified before. Since this node's log is itself signed, these records let anyone detect
a peer that showed different histories to different partners. Their audience is
`transnational`: the partners see what each node witnessed of the others.

A sync cursor moves often; these events only at a checkpoint reached or a conflict, so
they do not belong to the cooperation agreement's stream (decision 42).
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.partners import origin as checked_origin
from coordination.domain.values import TEXT_MAX, Audience, text

#: A checkpoint note kept in an event: a C2SP signed note is a few hundred bytes; room
#: for a handful of cosignature lines.
CHECKPOINT_MAX = 8000
#: A root hash in standard base64 (32 bytes).
ROOT_LENGTH = 44


def peer_log_id(peer_origin: str) -> UUID:
    """The stream of what this node saw of ``peer_origin``'s log."""
    return uuid5(NAMESPACE_URL, f"urn:coordination:peer-log:{peer_origin}")


def _size(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("must be a tree size, a whole number from 0", field=field)
    return value


def _root(value: str, field: str) -> str:
    if not isinstance(value, str) or len(value) != ROOT_LENGTH or not value.endswith("="):
        raise InvalidInput("must be a root hash in standard base64 (32 bytes)", field=field)
    return value


def _note(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.endswith("\n") or len(value) > CHECKPOINT_MAX:
        raise InvalidInput(
            f"must be a signed checkpoint note of at most {CHECKPOINT_MAX} characters",
            field=field,
        )
    return value


class PeerLog(CoordinationAggregate):
    """This node's record of one partner's log: the checkpoints it witnessed, a conflict."""

    TOPIC = "coordination.peer"
    KIND = "peer log"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Followed(CoordinationAggregate.Created):
        """The node first recorded something of this peer's log."""

        TOPIC = "coordination.peer.log_followed"
        peer_origin: str

        def apply(self, p: PeerLog) -> None:
            p.peer_origin = self.peer_origin

    class CheckpointWitnessed(CoordinationAggregate.Event):
        """PeerCheckpointWitnessed: every entry of this checkpoint is verified and stored."""

        TOPIC = "coordination.peer.checkpoint_witnessed"
        peer_origin: str
        size: int
        root: str
        checkpoint: str

        def apply(self, p: PeerLog) -> None:
            p.witnessed_size, p.witnessed_root = self.size, self.root

    class HistoryConflict(CoordinationAggregate.Event):
        """PeerHistoryConflict: a signed checkpoint that does not extend the verified one."""

        TOPIC = "coordination.peer.history_conflict"
        peer_origin: str
        verified_size: int
        verified_root: str
        conflicting_size: int
        conflicting_root: str
        conflicting_checkpoint: str
        reason: str

        def apply(self, p: PeerLog) -> None:
            p.conflicts = p.conflicts | {(self.conflicting_size, self.conflicting_root)}

    def __init__(self) -> None:
        self.peer_origin = ""
        self.witnessed_size = -1
        self.witnessed_root = ""
        #: The conflicting checkpoints recorded, as (size, root).
        self.conflicts: frozenset[tuple[int, str]] = frozenset()

    def audience(self) -> str:
        return Audience.TRANSNATIONAL.value

    @classmethod
    def follow(cls, ctx: Context, *, peer_origin: str) -> PeerLog:
        """Open the stream of ``peer_origin``'s log."""
        party = checked_origin(peer_origin, "peer_origin")
        if party == ctx.origin:
            raise InvalidInput("is this node's own origin", field="peer_origin")
        return cls.start(
            cls.Followed,
            ctx,
            id=peer_log_id(party),
            audience=Audience.TRANSNATIONAL.value,
            peer_origin=party,
        )

    def witness_checkpoint(self, ctx: Context, *, size: int, root: str, checkpoint: str) -> bool:
        """Record that every entry of the checkpoint ``(size, root)`` is verified and stored;
        False (nothing recorded) when one as large was recorded already."""
        if _size(size, "size") <= self.witnessed_size:
            return False
        self.record(
            self.CheckpointWitnessed,
            ctx,
            peer_origin=self.peer_origin,
            size=size,
            root=_root(root, "root"),
            checkpoint=_note(checkpoint, "checkpoint"),
        )
        return True

    def record_conflict(
        self,
        ctx: Context,
        *,
        verified: tuple[int, str],
        conflicting: tuple[int, str, str],
        reason: str,
    ) -> bool:
        """Record a signed checkpoint of the peer that does not extend the verified one;
        False (nothing recorded) when that checkpoint's conflict was recorded already.

        Args:
            ctx: The command's context.
            verified: The size and root of the last verified checkpoint.
            conflicting: The size, root and signed note of the checkpoint in conflict.
            reason: What did not verify.
        """
        if (conflicting[0], conflicting[1]) in self.conflicts:
            return False
        if verified[0] < self.witnessed_size:
            raise RuleViolation(
                f"a conflict is stated against a checkpoint of at least {self.witnessed_size}"
                f" entries, the size witnessed, not {verified[0]}"
            )
        self.record(
            self.HistoryConflict,
            ctx,
            peer_origin=self.peer_origin,
            verified_size=_size(verified[0], "verified_size"),
            verified_root=_root(verified[1], "verified_root"),
            conflicting_size=_size(conflicting[0], "conflicting_size"),
            conflicting_root=_root(conflicting[1], "conflicting_root"),
            conflicting_checkpoint=_note(conflicting[2], "conflicting_checkpoint"),
            reason=text(reason, "reason", max_length=TEXT_MAX),
        )
        return True
