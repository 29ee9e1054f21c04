"""Operations: Prometheus metrics, structured JSON logs and the request-id middleware.

Metrics use `prometheus-client` with a registry per application (never the library's
global one), so every test and every app instance counts on its own. Logs are stdlib
`logging` records rendered as one JSON object a line; the request id and correlation id
of the request being served ride along through context variables.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from uuid import UUID

import orjson
from eventsourcing.application import Application
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coordination.audit.supervisor import read_status
from coordination.http.body_limit import BodySizeLimit
from coordination.http.lane import GraphQLLane, NodeApp

if TYPE_CHECKING:
    from coordination.graphql.router import GraphQLApi
    from coordination.persistence.readdb import ReadDatabase

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
#: Label values are capped so that clients choosing operation names cannot grow the
#: metrics without bound.
_MAX_LABEL_VALUES = 200
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

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


def projection_status(db: ReadDatabase, app: Application[UUID]) -> StatusSource:
    """The views' lag and parked events, read from the projections at scrape time."""

    async def read() -> list[ViewStatus]:
        from coordination.projections.metrics import projection_metrics

        return [ViewStatus(m.view, m.lag, m.parked) for m in await projection_metrics(db, app)]

    return read


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


def metrics_router(metrics: Metrics, views: StatusSource | None = None) -> APIRouter:
    """`GET /metrics` in the Prometheus text format.

    Args:
        metrics: The app's metrics.
        views: Reads each projection's lag and parked events at scrape time; when None,
            `metrics.views` is used (set by `GraphQLApi.start` once the views run).
    """
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", response_class=Response)
    async def metrics_endpoint() -> Response:
        """Prometheus metrics: requests, operations, commands, projection and log lag."""
        source = views or metrics.views
        if source is not None:
            await metrics.refresh_views(source)
        if metrics.log is not None:
            await metrics.refresh_log(metrics.log)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request and correlation ids.

    Extra fields given as ``extra={"fields": {...}}`` are merged in; nothing else of the
    record is, so a careless ``extra`` cannot leak into the logs.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        correlation = correlation_id_var.get()
        if correlation is not None:
            entry["correlation_id"] = correlation
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        # orjson: the access log formats a line per request, and the standard library's
        # encoder cost a cached answer about a tenth of its time.
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) as JSON; returns the handler installed."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    return handler


def new_request_id(offered: str | None) -> str:
    """The caller's X-Request-ID when it is a short safe token, else a fresh UUID."""
    if offered and _VALID_REQUEST_ID.match(offered):
        return offered
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """Assigns or propagates X-Request-ID, times each request, counts it and logs it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        offered = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = new_request_id(offered)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        correlation = correlation_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                self._record(scope, status, time.perf_counter() - started)
            request_id_var.reset(token)
            correlation_id_var.reset(correlation)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope.get("method", "GET")
        self.metrics.http_requests.labels(method, route, str(status)).inc()
        self.metrics.http_seconds.labels(method, route).observe(seconds)
        log.info(
            "request served",
            extra={
                "fields": {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                }
            },
        )


def install_middleware(
    app: NodeApp,
    metrics: Metrics,
    *,
    max_body_bytes: int = BodySizeLimit.DEFAULT_MAX_BYTES,
    graphql: GraphQLApi | None = None,
) -> None:
    """Add the request-id/metrics/access-log middleware, the request body size limit and,
    given the app's GraphQL endpoint, its lane (`GraphQLLane`).

    The body limit sits inside the request-id middleware, so a refused body is still
    counted and answered with its request id; the lane sits inside both, and the app
    sends the requests the lane takes straight to that chain (`NodeApp`).
    """
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware, metrics=metrics)
    if graphql is not None:
        # The lane passes on what it does not take; the app gives it only what it takes.
        lane = GraphQLLane(partial(FastAPI.__call__, app), api=graphql)
        entry = RequestIdMiddleware(BodySizeLimit(lane, max_bytes=max_body_bytes), metrics)
        app.open_lane(entry, lane)
