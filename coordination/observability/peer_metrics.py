"""How syncing each partner goes, as metrics read at scrape time (decision 45): the entries
verified but not yet stored and for how long, and the state, one series per state, 1 for
the one the partner is in. A partner in `conflict` is an alarm: it rewrote its history."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger("coordination.http")

#: Every state a partner's sync may be in (`federation.synced_logs.SyncState`).
STATES = ("syncing", "up_to_date", "backing_off", "conflict", "key_refused")


@dataclass(frozen=True)
class PeerGauge:
    """One partner's figures: its origin, state, and lag in entries and seconds."""

    origin: str
    state: str
    lag_entries: int
    lag_seconds: float


PeerSource = Callable[[], list[PeerGauge]]
"""Reads every partner's figures (synchronously: a scrape runs in a worker thread)."""


class PeerSyncCollector:
    """The partners' sync figures; nothing until a source is set."""

    def __init__(self) -> None:
        self.source: PeerSource | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(())  # the families appear once a source is set

    def collect(self) -> Iterator[Metric]:
        if self.source is None:
            return
        try:
            peers = self.source()
        except Exception as error:  # a scrape must answer while the database is down
            log.warning("/metrics cannot read the partners' sync state: %s", error)
            return
        state = GaugeMetricFamily(
            "coordination_peer_sync_state",
            "1 for the state syncing a partner's log is in (conflict: it rewrote history).",
            labels=["origin", "state"],
        )
        entries = GaugeMetricFamily(
            "coordination_peer_lag_entries",
            "A partner's entries verified in its checkpoint but not yet stored.",
            labels=["origin"],
        )
        seconds = GaugeMetricFamily(
            "coordination_peer_lag_seconds",
            "How long a partner's verified entries have waited to be stored.",
            labels=["origin"],
        )
        for peer in peers:
            for name in STATES:
                state.add_metric([peer.origin, name], 1.0 if peer.state == name else 0.0)
            entries.add_metric([peer.origin], float(peer.lag_entries))
            seconds.add_metric([peer.origin], peer.lag_seconds)
        yield from (state, entries, seconds)
