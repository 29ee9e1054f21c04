"""The audit trail's port over the synced logs: the composition root joins the two, since
the API does not import the federation."""

from __future__ import annotations

from coordination.audit.log import AuditLog
from coordination.federation.synced_logs import SyncedLogs
from coordination.graphql.peer_events import PeerEntries


class SyncedPeerEntries:
    """The partners' synced entries below their verified sizes, stubs left out.

    Args:
        log: The node's signed log, whose database holds the synced logs.
    """

    def __init__(self, log: AuditLog) -> None:
        self._synced, self._own = SyncedLogs(log.storage), log.origin
        self._ready = False

    def origins(self) -> list[str]:
        self._tables()
        return [origin for origin in self._synced.origins() if origin != self._own]

    def entries(self, origin: str, start: int, limit: int) -> list[tuple[int, bytes]]:
        self._tables()
        size = self._synced.verified_size(origin)
        found = self._synced.shown_entries(origin, start, size, limit)
        return [(e.index, e.envelope) for e in found if e.envelope is not None]

    def _tables(self) -> None:
        # A node that never synced has no tables yet; creating them is idempotent.
        if not self._ready:
            self._synced.create_tables()
            self._ready = True


def peer_entries(log: AuditLog) -> PeerEntries:
    """The audit trail's read port over the node's synced logs."""
    return SyncedPeerEntries(log)
