"""The `PeerSync` type: how this node syncs a partner's log (FEED-PROTOCOL §6), its last
verified checkpoint, the one it last cosigned as a witness (§7), cursor, lag and state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import strawberry

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


#: How the node syncs a partner's log, by origin (a synchronous read: resolvers run it in a
#: worker thread); the composition root builds it over the synced logs.
PartnerSyncReader = Callable[[str], PeerSync | None]
