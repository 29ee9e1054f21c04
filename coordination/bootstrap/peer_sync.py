"""Syncing the node's peers, wired (decision 45): the sync step over the synced-log store
and the application, for `coordination sync` and for the worker `serve` starts.

The node's peers and their keys come from its own registry, the cooperation agreement's
stream, read from the write side: a key rotated or revoked a moment ago counts at once.
What the sync records (`PeerCheckpointWitnessed`, `PeerHistoryConflict`) the node records
itself, as `SYNC_ACTOR`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from coordination.application import Coordination
from coordination.application.peer_logs import SYNC_ACTOR
from coordination.audit._encoding import b64encode
from coordination.audit.checkpoint import Checkpoint
from coordination.audit.log import AuditLog
from coordination.audit.note import Signer, Verifier
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.domain.errors import NotFound
from coordination.federation.peer_client import Peer
from coordination.federation.sync_leadership import sync_leadership
from coordination.federation.sync_step import PeerSync
from coordination.federation.sync_worker import SyncSchedule, SyncWorker
from coordination.federation.synced_logs import PeerState, SyncedLogs


@dataclass(frozen=True)
class NodePeerRecords:
    """`PeerRecords` over the application: the registry's keys and the node's records."""

    app: Coordination
    origin: str

    def _ctx(self) -> Context:
        return Context(actor=SYNC_ACTOR, origin=self.origin)

    def key_now(self, origin: str) -> Verifier | None:
        try:
            agreement = self.app.cooperation_agreement()
        except NotFound:
            return None
        key = agreement.key_valid_at(origin, datetime.now(UTC))
        return None if key is None else Verifier.from_vkey(key.vkey)

    def witnessed_size(self, origin: str) -> int:
        return self.app.witnessed_size(origin)

    def witness(self, origin: str, checkpoint: Checkpoint, note: str) -> None:
        root = b64encode(checkpoint.root_hash)
        self.app.witness_peer_checkpoint(
            self._ctx(), origin=origin, size=checkpoint.size, root=root, checkpoint=note
        )

    def conflict(
        self, origin: str, verified: PeerState, found: Checkpoint, note: str, why: str
    ) -> None:
        self.app.record_peer_history_conflict(
            self._ctx(),
            origin=origin,
            verified=(verified.size, b64encode(verified.root)),
            conflicting=(found.size, b64encode(found.root_hash), note),
            reason=why,
        )


def admitted_peers(app: Coordination) -> list[Peer]:
    """The admitted partners, by origin, each with the base URL its node is reached at."""
    try:
        agreement = app.cooperation_agreement()
    except NotFound:
        return []
    return [
        Peer(origin, partner.base_url) for origin, partner in sorted(agreement.partners.items())
    ]


def peer_sync(system: System, log: AuditLog) -> PeerSync:
    """The sync step of the node over its log's database."""
    logs = SyncedLogs(log.storage)
    records = NodePeerRecords(system.app, system.settings.origin)
    return PeerSync(logs, records, page_limit=system.settings.sync_page_size)


def start_sync_worker(system: System, log: AuditLog, signer: Signer) -> SyncWorker | None:
    """Start the sync worker on the running loop, unless the settings turn it off."""
    settings = system.settings
    if not settings.sync:
        return None
    schedule = SyncSchedule(
        wait_s=settings.sync_wait_s,
        backoff_max_s=settings.sync_backoff_max_s,
        timeout_s=settings.sync_timeout_s,
    )
    worker = SyncWorker(
        peer_sync(system, log),
        lambda: admitted_peers(system.app),
        signer,
        sync_leadership(system.target),
        schedule,
    )
    worker.start()
    return worker
