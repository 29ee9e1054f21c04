"""What a page's transaction writes besides its rows, and the check before it.

Every page moves the positions of the views it was written for, and only from where the
pipeline believes they are: another writer of the same views, or a rebuild's switch,
makes the page `Stale` and its transaction is rolled back. On SQLite the tracking rows
are checked first (`position_check`); on PostgreSQL one statement moves them only from
the believed positions and announces the page (`record_page`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coordination.persistence.readdb import Handle, ReadDatabase, Row, RowsCheck
from coordination.projections.processing import Outcome, Target
from coordination.projections.progress import encode_progress, progress_channel
from coordination.projections.schema import LIVE


class Stale(Exception):
    """Another writer moved a view, or a rebuild switched it, since the page was read."""


def position_check(
    db: ReadDatabase,
    targets: dict[str, Target],
    fixed: dict[str, int] | None,
    follows: Callable[[str, int, str], bool],
) -> RowsCheck:
    """The check that every view of `targets` is still where they say: its `verify`
    raises `Stale` otherwise. `fixed` gives the generations of a rebuild (None: the live
    ones); `follows` tells whether a tracking row is one of those written."""
    # Locks exactly the rows this pipeline writes, so a rebuild's switch and this commit
    # serialise, and a second writer of the same rows waits and then finds them moved.
    lock = " FOR UPDATE" if db.is_postgres else ""
    select = "SELECT view, generation, status, position FROM projection_tracking"
    args: tuple[Any, ...]
    if fixed is None:
        sql, args = f"{select} WHERE status = $1{lock}", (LIVE,)
    else:
        pairs = sorted(fixed.items())
        wanted = " OR ".join(
            f"(view = ${2 * n + 1} AND generation = ${2 * n + 2})" for n in range(len(pairs))
        )
        sql = f"{select} WHERE {wanted}{lock}"
        args = tuple(value for pair in pairs for value in pair)
    # What this pipeline believes now: `verify` may run on another thread.
    believed = {name: (t.generation, t.position) for name, t in targets.items()}

    def verify(rows: list[Row]) -> None:
        current = {
            r["view"]: (r["generation"], r["position"]) for r in rows if follows(*tracking_key(r))
        }
        for name, where in believed.items():
            if current.get(name) != where:
                raise Stale(name)

    return RowsCheck(sql, args, verify)


async def record_page(
    tx: Handle,
    db: ReadDatabase,
    outcome: Outcome,
    positions: dict[str, int],
    targets: dict[str, Target],
    *,
    fixed: dict[str, int] | None,
    name: str,
) -> None:
    """Write a page's parked events and routes, and move its views' positions."""
    if outcome.parked:
        await tx.executemany(
            "INSERT INTO parked_events (view, generation, notification_id, stream_id,"
            " stream_version, topic, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            outcome.parked,
        )
    if outcome.routes and fixed is None:
        await tx.executemany(
            "INSERT INTO projection_stream_forums (stream_id, forum_id) VALUES ($1, $2)"
            " ON CONFLICT (stream_id) DO NOTHING",
            [(str(s), str(f)) for s, f in outcome.routes.items()],
        )
    if db.is_postgres:
        channel = progress_channel(db, name)
        await _move_positions(tx, outcome, positions, targets, live=fixed is None, channel=channel)
        return
    await tx.executemany(
        "UPDATE projection_tracking SET position = $1 WHERE view = $2 AND generation = $3",
        [(positions[n], n, t.generation) for n, t in targets.items()],
    )


async def _move_positions(
    tx: Handle,
    outcome: Outcome,
    positions: dict[str, int],
    targets: dict[str, Target],
    *,
    live: bool,
    channel: str,
) -> None:
    """Move every view's position, only from where this pipeline believes it is, and
    announce the page: one statement, so one round trip (each costs the projector a
    turn of a busy event loop). A view found elsewhere (another writer, a rebuild's
    switch) moves nothing, raises `Stale`, and the transaction is rolled back, its
    notification with it. The rows a concurrent switch locks are these very rows, so
    the two serialise here as they did when the check came first."""
    moving = list(targets.items())
    row = await tx.fetchrow(
        "WITH moved AS (UPDATE projection_tracking t SET position = u.position"
        " FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[])"
        " AS u(position, view, generation, was)"
        " WHERE t.view = u.view AND t.generation = u.generation AND t.position = u.was"
        " AND ($5 OR t.status = $6) RETURNING 1)"
        " SELECT (SELECT COUNT(*) FROM moved) AS moved,"
        " CASE WHEN $7 THEN pg_notify($8, $9) END AS notified",
        [positions[view] for view, _ in moving],
        [view for view, _ in moving],
        [target.generation for _, target in moving],
        [target.position for _, target in moving],
        not live,
        LIVE,
        live,
        channel,
        encode_progress(outcome, positions) if live else "",
    )
    if row is None or row["moved"] != len(moving):
        raise Stale(", ".join(sorted(targets)))


def tracking_key(row: Any) -> tuple[str, int, str]:
    """View, generation and status of a tracking row (a dict, or a generation's record)."""
    if isinstance(row, dict):
        return row["view"], row["generation"], row["status"]
    return row.view, row.generation, row.status
