"""The node's verified logs as sources of the merged joint-group view
(`projections.joint_view.LogSource`): its own log up to its latest signed checkpoint, and
each partner's synced log up to the checkpoint verified for it."""

from __future__ import annotations

from coordination.audit.log import AuditLog

from .synced_logs import SyncedLogs


class OwnLog:
    """The node's own log, below its latest signed checkpoint."""

    def __init__(self, log: AuditLog) -> None:
        self.log = log

    @property
    def origin(self) -> str:
        return self.log.origin

    def verified(self, start: int, limit: int) -> list[tuple[int, bytes, bytes | None]]:
        checkpoint = self.log.storage.latest_checkpoint()
        stop = min(start + limit, 0 if checkpoint is None else checkpoint.size)
        if stop <= start:
            return []
        return [(e.index, e.leaf_hash, e.entry) for e in self.log.storage.entries(start, stop)]


class SyncedLog:
    """A partner's synced log, below the checkpoint verified for it."""

    def __init__(self, synced: SyncedLogs, origin: str) -> None:
        self.synced, self._origin = synced, origin

    @property
    def origin(self) -> str:
        return self._origin

    def verified(self, start: int, limit: int) -> list[tuple[int, bytes, bytes | None]]:
        size = self.synced.verified_size(self._origin)
        if size <= start:
            return []
        found = self.synced.entries(self._origin, start, min(limit, size - start))
        return [(e.index, e.leaf_hash, e.envelope) for e in found if e.index < size]


def log_sources(synced: SyncedLogs, own: AuditLog) -> list[OwnLog | SyncedLog]:
    """The node's own log and every partner's synced log, as they are now."""
    partners = [SyncedLog(synced, origin) for origin in synced.origins() if origin != own.origin]
    return [OwnLog(own), *partners]
