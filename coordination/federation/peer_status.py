"""How syncing each peer goes, for those who watch the node: GraphQL's partner status, the
metrics and `/ready` (decision 45). A peer in conflict rewrote its history: that is an
alarm about the peer, not about this node, which stays ready and serves."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from coordination.audit.log import AuditLog
from coordination.audit.witness_store import Witnessed
from coordination.observability.peer_metrics import PeerGauge

from .synced_logs import CONFLICT, PeerState, SyncedLogs

_STORES: weakref.WeakKeyDictionary[AuditLog, SyncedLogs] = weakref.WeakKeyDictionary()


def synced_logs(log: AuditLog) -> SyncedLogs:
    """The synced-log store beside the node's log (one per log: its tables made once)."""
    found = _STORES.get(log)
    if found is None:
        found = _STORES[log] = SyncedLogs(log.storage)
    return found


@dataclass(frozen=True)
class PeerStatus:
    """A peer's sync state with the checkpoint of it this node last cosigned (§7)."""

    state: PeerState
    cosigned: Witnessed | None
    lag_seconds: float


def peer_status(log: AuditLog, origin: str) -> PeerStatus | None:
    """How syncing ``origin`` goes; None before the node first tried (synchronous)."""
    state = synced_logs(log).state(origin)
    if state is None:
        return None
    cosigned = log.witness_store.last_witnessed(origin)
    return PeerStatus(state, cosigned, state.lag_seconds(datetime.now(UTC)))


def peer_states(log: AuditLog) -> list[PeerState]:
    """Every peer's state, by origin (synchronous)."""
    return synced_logs(log).states()


def peer_alarm(log: AuditLog) -> dict[str, object] | None:
    """What `/ready` adds while a peer is in conflict (the node itself stays ready)."""
    conflicts = [s for s in peer_states(log) if s.state == CONFLICT]
    if not conflicts:
        return None
    return {
        "peers_in_conflict": [s.origin for s in conflicts],
        "peer_alarm": "a partner's log does not extend what this node verified of it: its"
        " sync is stopped and PeerHistoryConflict recorded; see the partners' sync status",
    }


def peer_gauges(log: AuditLog) -> Callable[[], list[PeerGauge]]:
    """Every peer's figures for the metrics, read at scrape time."""

    def read() -> list[PeerGauge]:
        now = datetime.now(UTC)
        return [
            PeerGauge(s.origin, s.state, s.lag_entries, s.lag_seconds(now))
            for s in peer_states(log)
        ]

    return read
