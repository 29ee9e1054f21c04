"""The node's Prometheus metrics, in a registry of their own, and the status sources
they read at scrape time.

Each application instance gets its own registry (never the library's global one), so
every test and every app counts on its own. What serves them (`GET /metrics`) and what
counts requests (the request-id middleware) sit at the rim, in `coordination.http`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest

from coordination.observability.integrator_status import read_status
from coordination.observability.peer_metrics import PeerSource, PeerSyncCollector

#: Label values are capped so that clients choosing operation names cannot grow the
#: metrics without bound.
_MAX_LABEL_VALUES = 200
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

#: The logger `/metrics` has always reported on (the access log's).
log = logging.getLogger("coordination.http")


@dataclass(frozen=True)
class ViewStatus:
    """How far one projection is behind the log, for the metrics endpoint."""

    view: str
    lag: int
    parked: int


StatusSource = Callable[[], Awaitable[Iterable[ViewStatus]]]


@dataclass(frozen=True)
class LogStatus:
    """How far the tamper-evident log got: events recorded and not yet integrated, the
    log's entries, and the entries its latest signed checkpoint covers."""

    lag: int
    entries: int
    signed: int


LogStatusSource = Callable[[], Awaitable[LogStatus]]

IntegritySource = Callable[[], bool]
"""Whether the node's integrity alarm is down (read at scrape time: a ``stat``)."""


class Metrics:
    """The node's metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "coordination_http_requests",
            "HTTP requests served, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "coordination_http_request_seconds",
            "HTTP request latency, by route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.operations = Counter(
            "coordination_graphql_operations",
            "GraphQL operations, by operation name, type and outcome (ok, error).",
            ["operation", "type", "outcome"],
            registry=self.registry,
        )
        self.operation_seconds = Histogram(
            "coordination_graphql_operation_seconds",
            "GraphQL operation latency, by operation name and type.",
            ["operation", "type"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.commands = Counter(
            "coordination_commands",
            "Commands run through the API, by mutation and outcome (ok or the error type).",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.command_placement = Counter(
            "coordination_command_placement",
            "Commands by where they ran: on the event loop's thread (loop) or in a command"
            " thread (thread), decision 17.",
            ["where"],
            registry=self.registry,
        )
        self.projection_lag = Gauge(
            "coordination_projection_lag_events",
            "Events recorded but not yet processed, per view.",
            ["view"],
            registry=self.registry,
        )
        self.projection_parked = Gauge(
            "coordination_projection_parked_events",
            "Events a view could not process and set aside, per view.",
            ["view"],
            registry=self.registry,
        )
        self.log_gauges = {
            field: Gauge(f"coordination_log_{name}", text, registry=self.registry)
            for field, name, text in (
                ("lag", "lag_events", "Events recorded but not yet integrated into the log."),
                ("entries", "entries", "Entries in the tamper-evident log."),
                ("signed", "signed_entries", "Entries the latest signed checkpoint covers."),
            )
        }
        self.status_up = Gauge(
            "coordination_status_up",
            "1 when /metrics could read this status at this scrape (views: each view's lag"
            " and parked events; log: the tamper-evident log's progress), 0 when it could"
            " not: its figures are then left out (views) or NaN (log).",
            ["source"],
            registry=self.registry,
        )
        self._operation_names: set[str] = set()
        self._integrator_watched = False
        self._integrity = IntegrityCollector()
        self.registry.register(self._integrity)
        self._peers = PeerSyncCollector()
        self.registry.register(self._peers)
        #: Reads each view's lag and parked events at scrape time (set once views run).
        self.views: StatusSource | None = None
        #: Reads the log's progress at scrape time (set once the log is open).
        self.log: LogStatusSource | None = None

    def operation_label(self, name: str | None) -> str:
        """The label for a client-chosen operation name, bounded in number and shape."""
        if not name:
            return "anonymous"
        if name in self._operation_names:
            return name
        if len(self._operation_names) >= _MAX_LABEL_VALUES or not name.isidentifier():
            return "other"
        self._operation_names.add(name)
        return name

    def observe_operation(self, name: str | None, kind: str, seconds: float, ok: bool) -> None:
        label = self.operation_label(name)
        self.operations.labels(label, kind, "ok" if ok else "error").inc()
        self.operation_seconds.labels(label, kind).observe(seconds)

    def observe_views(self, statuses: Iterable[ViewStatus]) -> None:
        for status in statuses:
            self.projection_lag.labels(status.view).set(status.lag)
            self.projection_parked.labels(status.view).set(status.parked)

    def observe_log(self, status: LogStatus) -> None:
        for field, gauge in self.log_gauges.items():
            gauge.set(getattr(status, field))

    async def refresh_views(self, read: StatusSource) -> None:
        """Read the views' status for a scrape; without it, leave their figures out."""
        try:
            statuses = await read()
        except Exception as error:  # any: see `_unreadable`
            self._unreadable("views", error)
            self.projection_lag.clear()
            self.projection_parked.clear()
            return
        self.observe_views(statuses)
        self.status_up.labels("views").set(1)

    async def refresh_log(self, read: LogStatusSource) -> None:
        """Read the log's status for a scrape; without it, its figures are NaN."""
        try:
            status = await read()
        except Exception as error:  # any: see `_unreadable`
            self._unreadable("log", error)
            for gauge in self.log_gauges.values():
                gauge.set(float("nan"))
            return
        self.observe_log(status)
        self.status_up.labels("log").set(1)

    def _unreadable(self, source: str, error: Exception) -> None:
        # Whatever stops a status from being read (the database down, most likely), the
        # scrape still answers: the request and error counts matter most just then, and
        # a failed scrape would look like a node that is down.
        log.warning("/metrics cannot read the %s status: %s", source, error)
        self.status_up.labels(source).set(0)

    def watch_integrator_process(self, status: Path) -> None:
        """Report the integrator process `serve` supervises, from its status file."""
        if not self._integrator_watched:  # an app built again on the same metrics
            self.registry.register(IntegratorProcessCollector(status))
            self._integrator_watched = True

    def watch_integrity(self, ok: IntegritySource) -> None:
        """Report `coordination_integrity_ok` from ``ok`` (decision 35)."""
        self._integrity.source = ok

    def watch_peers(self, peers: PeerSource) -> None:
        """Report how syncing each partner goes from ``peers`` (decision 45)."""
        self._peers.source = peers

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class IntegratorProcessCollector:
    """Whether the log's integrator process runs, and how often `serve` restarted it.

    Read at scrape time from the status file of `serve`'s supervisor (decision 18): with
    several workers the supervisor is `serve`'s parent process, none of the processes
    that answer `/metrics`. A crash-looping integrator shows as a growing restart count
    (and, as before, a growing `coordination_log_lag_events`).
    """

    def __init__(self, status: Path) -> None:
        self.status = status

    def collect(self) -> Iterator[Metric]:
        status = read_status(self.status)
        up = GaugeMetricFamily(
            "coordination_integrator_up",
            "1 while the log's integrator process that serve supervises runs, else 0.",
        )
        up.add_metric([], 1.0 if status is not None and status.running else 0.0)
        yield up
        restarts = CounterMetricFamily(
            "coordination_integrator_restarts",
            "Times serve started the log's integrator process again after it ended.",
        )
        restarts.add_metric([], float(status.restarts) if status is not None else 0.0)
        yield restarts


class IntegrityCollector:
    """Whether the node's integrity alarm is down, read at scrape time from every process's
    shared alarm file; nothing until a source is set (`Metrics.watch_integrity`)."""

    def __init__(self) -> None:
        self.source: IntegritySource | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(())  # the family appears once a source is set

    def collect(self) -> Iterator[Metric]:
        if self.source is None:
            return
        ok = GaugeMetricFamily(
            "coordination_integrity_ok",
            "1 while the node's integrity alarm is down, 0 while it is raised: the node"
            " found what it stores to disagree with what it signed, and signs nothing.",
        )
        ok.add_metric([], 1.0 if self.source() else 0.0)
        yield ok
