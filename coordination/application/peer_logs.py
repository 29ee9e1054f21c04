"""Use cases of B8's peer logs: what the node records of a partner's log while syncing it
(FEED-PROTOCOL §6). The node itself records them (`SYNC_ACTOR`), never a person, so they
have no mutation and no place in the authorization matrix.

Both commands are idempotent on the stream's state: a checkpoint witnessed once, or a
conflict recorded once, is not recorded again by a retry after a crash or by a second
process syncing the same peer.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.errors import NotFound
from coordination.domain.peer_log import PeerLog, peer_log_id

#: The actor of what the sync records: the node's own sync, a service principal.
SYNC_ACTOR = "node:peer-sync"


class PeerLogUseCases(CommandRunner):
    """Commands on the `PeerLog` streams, one per peer origin."""

    def witness_peer_checkpoint(
        self, ctx: Context, *, origin: str, size: int, root: str, checkpoint: str
    ) -> CommandResult:
        """PeerCheckpointWitnessed, unless a checkpoint as large is recorded already."""

        def handle() -> Outcome:
            log, created = self._peer_log(ctx, origin)
            log.witness_checkpoint(ctx, size=size, root=root, checkpoint=checkpoint)
            return Outcome(log, created_id=created)

        return self._run(ctx, "witness_peer_checkpoint", handle, NO_OPTIONS, origin=origin)

    def record_peer_history_conflict(
        self,
        ctx: Context,
        *,
        origin: str,
        verified: tuple[int, str],
        conflicting: tuple[int, str, str],
        reason: str,
    ) -> CommandResult:
        """PeerHistoryConflict, unless that conflicting checkpoint is recorded already."""

        def handle() -> Outcome:
            log, created = self._peer_log(ctx, origin)
            log.record_conflict(ctx, verified=verified, conflicting=conflicting, reason=reason)
            return Outcome(log, created_id=created)

        return self._run(ctx, "record_peer_history_conflict", handle, NO_OPTIONS, origin=origin)

    def witnessed_size(self, origin: str) -> int:
        """The size of the largest checkpoint of ``origin`` recorded as witnessed (-1: none)."""
        try:
            return self.load(PeerLog, peer_log_id(origin)).witnessed_size
        except NotFound:
            return -1

    def _peer_log(self, ctx: Context, origin: str) -> tuple[PeerLog, UUID | None]:
        try:
            return self.load(PeerLog, peer_log_id(origin)), None
        except NotFound:
            log = PeerLog.follow(ctx, peer_origin=origin)
            return log, log.id
