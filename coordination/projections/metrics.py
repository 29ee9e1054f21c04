"""Projection health for the `/metrics` endpoint: lag and parked events per view."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application

from coordination.observability import StatusSource, ViewStatus
from coordination.persistence.event_log import EventLog, events_table
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.schema import LIVE, generations


@dataclass(frozen=True)
class ViewMetrics:
    """One live view's progress.

    Attributes:
        view: The view's name.
        generation: Its live generation (it grows with each rebuild).
        position: The notification id it includes.
        head: The log's highest notification id.
        lag: ``head - position``: how many log positions it is behind.
        parked: How many of its events are parked.
    """

    view: str
    generation: int
    position: int
    head: int
    lag: int
    parked: int


async def projection_metrics(db: ReadDatabase, app: Application[UUID]) -> list[ViewMetrics]:
    """Lag and parked-event count of every live view, in one read snapshot."""
    async with db.transaction(readonly=True) as snapshot:
        head = await EventLog(db, events_table(app)).head(snapshot)
        parked = {
            (r["view"], int(r["generation"])): int(r["n"])
            for r in await snapshot.fetch(
                "SELECT view, generation, COUNT(*) AS n FROM parked_events"
                " GROUP BY view, generation"
            )
        }
        return [
            ViewMetrics(
                g.view,
                g.generation,
                g.position,
                head,
                max(head - g.position, 0),
                parked.get((g.view, g.generation), 0),
            )
            for g in await generations(snapshot)
            if g.status == LIVE
        ]


def prometheus_lines(metrics: list[ViewMetrics]) -> str:
    """The metrics in Prometheus' text format, for an endpoint without a client library."""
    lines = [
        "# HELP coordination_projection_lag Log positions a view is behind the head.",
        "# TYPE coordination_projection_lag gauge",
        *(f'coordination_projection_lag{{view="{m.view}"}} {m.lag}' for m in metrics),
        "# HELP coordination_projection_position Notification id a view includes.",
        "# TYPE coordination_projection_position gauge",
        *(f'coordination_projection_position{{view="{m.view}"}} {m.position}' for m in metrics),
        "# HELP coordination_projection_parked_events Events a view has parked.",
        "# TYPE coordination_projection_parked_events gauge",
        *(f'coordination_projection_parked_events{{view="{m.view}"}} {m.parked}' for m in metrics),
    ]
    return "\n".join(lines) + "\n"


def projection_status(db: ReadDatabase, app: Application[UUID]) -> StatusSource:
    """The views' lag and parked events, read from the projections at scrape time."""

    async def read() -> list[ViewStatus]:
        return [ViewStatus(m.view, m.lag, m.parked) for m in await projection_metrics(db, app)]

    return read
