"""GraphQL's partner status over the synced logs (decision 45): the composition root joins
the two, since neither the API nor the feed imports the other."""

from __future__ import annotations

import base64

from coordination.audit.log import AuditLog
from coordination.domain.peer_log import PeerSyncState
from coordination.federation.peer_status import PeerStatus, peer_status
from coordination.graphql.types.peer_sync import PartnerSyncReader, PeerCheckpoint, PeerSync


def _b64(root: bytes) -> str:
    return base64.b64encode(root).decode()


def partner_sync(status: PeerStatus) -> PeerSync:
    """A peer's status as the API shows it."""
    state, cosigned = status.state, status.cosigned
    return PeerSync(
        state=PeerSyncState(state.state),
        verified=PeerCheckpoint(size=state.size, root=_b64(state.root))
        if state.checkpoint_note
        else None,
        cosigned=None
        if cosigned is None
        else PeerCheckpoint(size=cosigned.size, root=_b64(cosigned.root)),
        cursor=state.cursor,
        lag_entries=state.lag_entries,
        lag_seconds=round(status.lag_seconds, 3),
        last_error=state.last_error,
        checked_at=state.checked_at,
    )


def partner_sync_reader(log: AuditLog) -> PartnerSyncReader:
    """Reads how the node syncs a partner, by origin (synchronously)."""

    def read(origin: str) -> PeerSync | None:
        status = peer_status(log, origin)
        return None if status is None else partner_sync(status)

    return read
