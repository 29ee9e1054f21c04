"""The `PeerSync` type: how this node syncs a partner's log (FEED-PROTOCOL §6), its last
verified checkpoint, the one it last cosigned as a witness (§7), cursor, lag and state."""

from __future__ import annotations

import base64
from datetime import datetime

import strawberry

from coordination.federation.peer_status import PeerStatus
from coordination.graphql.enums import PeerSyncState


@strawberry.type(description="A checkpoint of a partner's log: its size and root hash.")
class PeerCheckpoint:
    size: int = strawberry.field(description="Entries the checkpoint covers.")
    root: str = strawberry.field(description="Its RFC 9162 root hash, standard base64.")


@strawberry.type(
    description="How this node syncs a partner's log: verified and stored up to `cursor`,"
    " against the partner's last verified checkpoint."
)
class PeerSync:
    state: PeerSyncState = strawberry.field(
        description="`CONFLICT` is an alarm: the partner signed a checkpoint that does not"
        " extend the one verified; syncing it stopped and PeerHistoryConflict was recorded."
    )
    verified: PeerCheckpoint | None = strawberry.field(
        description="Its last checkpoint whose signature and history this node verified."
    )
    cosigned: PeerCheckpoint | None = strawberry.field(
        description="Its last checkpoint this node cosigned as a witness."
    )
    cursor: int = strawberry.field(description="Its entries stored and verified: [0, cursor).")
    lag_entries: int = strawberry.field(description="Entries verified but not yet stored.")
    lag_seconds: float = strawberry.field(description="How long those have waited.")
    last_error: str | None = strawberry.field(description="Why the last step failed, if it did.")
    checked_at: datetime = strawberry.field(description="When the partner was last asked.")

    @classmethod
    def of(cls, status: PeerStatus) -> PeerSync:
        state = status.state
        verified = (
            PeerCheckpoint(size=state.size, root=base64.b64encode(state.root).decode())
            if state.checkpoint_note
            else None
        )
        cosigned = status.cosigned
        return cls(
            state=PeerSyncState(state.state),
            verified=verified,
            cosigned=None
            if cosigned is None
            else PeerCheckpoint(size=cosigned.size, root=base64.b64encode(cosigned.root).decode()),
            cursor=state.cursor,
            lag_entries=state.lag_entries,
            lag_seconds=round(status.lag_seconds, 3),
            last_error=state.last_error,
            checked_at=state.checked_at,
        )
