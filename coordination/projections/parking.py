"""Poison events: parked per view and stream, listed for people, retried on request.

When a handler raises, its event is parked with the error, and so is every later event
of the same stream for that view: the stream's rows stay as they were before the poison
event, instead of receiving later events out of order. Every other stream and every
other view keeps flowing. Once the cause is fixed (usually a new release), a retry
applies the parked events in order; one that fails again stays parked with its new error.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from coordination.persistence.readdb import Handle, ReadDatabase
from coordination.projections.schema import LIVE

#: Longest error text kept (the exception type and message; never event data).
ERROR_MAX = 2000


@dataclass(frozen=True)
class ParkedEvent:
    """An event a view could not apply (or held back behind one).

    Attributes:
        view: The view that parked it.
        notification_id: Its position in the log.
        stream_id: Its stream, which is parked for that view.
        stream_version: Its version in the stream.
        topic: Its event type.
        error: Why: the handler's error, or that an earlier event of the stream is parked.
    """

    view: str
    notification_id: int
    stream_id: UUID
    stream_version: int
    topic: str
    error: str


HELD_BACK = "held back: an earlier event of this stream is parked for this view"


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


async def list_parked(db: Handle, view: str | None = None) -> list[ParkedEvent]:
    """The parked events of the live views (of `view`, when given), in log order."""
    rows = await db.fetch(
        "SELECT p.view, p.notification_id, p.stream_id, p.stream_version, p.topic, p.error"
        " FROM parked_events p JOIN projection_tracking t"
        " ON t.view = p.view AND t.generation = p.generation"
        " WHERE t.status = $1 AND ($2 = '' OR p.view = $2)"
        " ORDER BY p.view, p.notification_id",
        LIVE,
        view or "",
    )
    return [
        ParkedEvent(
            r["view"],
            int(r["notification_id"]),
            UUID(r["stream_id"]),
            int(r["stream_version"]),
            r["topic"],
            r["error"],
        )
        for r in rows
    ]


async def parked_streams(handle: Handle, view: str, generation: int) -> set[UUID]:
    rows = await handle.fetch(
        "SELECT DISTINCT stream_id FROM parked_events WHERE view = $1 AND generation = $2",
        view,
        generation,
    )
    return {UUID(r["stream_id"]) for r in rows}


async def request_retry(db: ReadDatabase, view: str, channel: str) -> int:
    """Ask the projector (in whichever process) to retry the parked events of `view`.

    On PostgreSQL the projector listening on `channel` is told at once; on SQLite it
    finds the request when it next looks. Returns how many events now wait for the retry.
    """
    changed = await db.execute(
        "UPDATE parked_events SET retry_requested = 1 WHERE view = $1 AND generation IN"
        " (SELECT generation FROM projection_tracking WHERE view = $1 AND status = $2)",
        view,
        LIVE,
    )
    if db.is_postgres:
        await db.execute("SELECT pg_notify($1, 'retry')", channel)
    return changed


async def parked_rows(handle: Handle, view: str, generation: int) -> list[dict[str, object]]:
    """The parked rows of one generation, in log order."""
    return await handle.fetch(
        "SELECT notification_id, stream_id FROM parked_events"
        " WHERE view = $1 AND generation = $2 ORDER BY notification_id",
        view,
        generation,
    )


async def settle_retry(
    tx: Handle, view: str, generation: int, applied: list[int], failed: dict[int, str]
) -> None:
    """Unpark what a retry applied, keep the new errors, and clear the retry request."""
    await tx.executemany(
        "DELETE FROM parked_events WHERE view = $1 AND generation = $2 AND notification_id = $3",
        [(view, generation, n) for n in applied],
    )
    await tx.executemany(
        "UPDATE parked_events SET error = $4 WHERE view = $1 AND generation = $2"
        " AND notification_id = $3",
        [(view, generation, n, error) for n, error in failed.items()],
    )
    await tx.execute(
        "UPDATE parked_events SET retry_requested = 0 WHERE view = $1 AND generation = $2",
        view,
        generation,
    )


#: The prefix of the channels on which projectors announce their progress and hear
#: retry requests (PostgreSQL; see `progress.progress_channel`).
PROGRESS_CHANNEL = "coordination_projections"
