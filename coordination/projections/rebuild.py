"""Rebuilding a view beside the live one, and checking that replay gives the live views.

`rebuild` fills a new generation of a view from position 0 with its own projector while
the live generation keeps serving (and keeps being fed), then switches the SQL views to
it in one transaction once it has caught up, and drops the old tables. `check_replay`
builds every view again into scratch tables, brings them to exactly the live views'
positions, and compares them row by row inside one read snapshot. Both read the log
through `log`: the command line hands them the verified log followed by the event table
(``audit.verified_reader``), so that what they build is what the signed log records.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from coordination.persistence.event_log import EventReader
from coordination.persistence.readdb import Handle, ReadDatabase
from coordination.projections.parking import list_parked
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import (
    BUILDING,
    LIVE,
    SCRATCH,
    create_indexes,
    drop_generation,
    generations,
    new_generation,
    switch_live,
)
from coordination.projections.tables import Table
from coordination.projections.view import View

#: progress(view, position, head) after each page while a view catches up; an awaitable
#: it returns holds the next page back until it is done.
Progress = Callable[[str, int, int], Awaitable[None] | None]
SWITCH_ATTEMPTS = 100
CHECK_ATTEMPTS = 100


@dataclass(frozen=True)
class Rebuilt:
    """A finished rebuild: the view, its new live generation and the position it switched at."""

    view: str
    generation: int
    position: int


async def rebuild(
    db: ReadDatabase,
    app: Application[UUID],
    view: View,
    *,
    progress: Progress | None = None,
    batch_size: int | None = None,
    log: EventReader | None = None,
) -> Rebuilt:
    """Build a fresh generation of `view` from position 0 and switch to it, without downtime.

    Commands may keep arriving: the new generation catches up again until, inside the
    switch's transaction, it is at least as far as the live one. The log is read through
    `log` (the event table when None).
    """
    # The secondary indexes are built once the bulk of the rows is in: one pass per index
    # rather than maintaining every index row by row through the whole catch-up.
    generation = await new_generation(db, view, BUILDING, indexes=False)
    runner = ProjectionRunner(
        db,
        app,
        [view],
        generations={view.name: generation},
        name=f"rebuild:{view.name}",
        batch_size=batch_size,
        log=log,
    )
    report = _reporter(view.name, progress)
    try:
        for _ in range(SWITCH_ATTEMPTS):
            position = await runner.catch_up(progress=report)
            await create_indexes(db, view, generation)  # only the first time does anything
            outcome = await switch_live(db, view, generation)
            if outcome.switched:
                if outcome.retired is not None:
                    await drop_generation(db, view, outcome.retired)
                return Rebuilt(view.name, generation, position)
        raise RuntimeError(f"the rebuild of '{view.name}' could not catch up with the live view")
    except BaseException:
        await drop_generation(db, view, generation)
        raise


def _reporter(
    name: str, progress: Progress | None
) -> Callable[[int, int], Awaitable[None] | None] | None:
    if progress is None:
        return None
    return lambda position, head: progress(name, position, head)


@dataclass(frozen=True)
class Difference:
    """A row that differs between a live view and its replay.

    Attributes:
        view: The view.
        table: The table (logical name), or ``parked_events``.
        key: The row's primary key.
        columns: The columns that differ (all of them when a row is missing on one side).
        live: The live row, or None when only the replay has it.
        rebuilt: The replayed row, or None when only the live view has it.
    """

    view: str
    table: str
    key: tuple[Any, ...]
    columns: tuple[str, ...]
    live: dict[str, Any] | None
    rebuilt: dict[str, Any] | None

    def describe(self) -> str:
        if self.rebuilt is None:
            return f"{self.view}.{self.table} {self.key}: only in the live view"
        if self.live is None:
            return f"{self.view}.{self.table} {self.key}: missing from the live view"
        return f"{self.view}.{self.table} {self.key}: {', '.join(self.columns)} differ"


async def check_replay(
    db: ReadDatabase,
    app: Application[UUID],
    views: Sequence[View],
    *,
    progress: Progress | None = None,
    batch_size: int | None = None,
    log: EventReader | None = None,
) -> list[Difference]:
    """Replay every view into scratch tables and compare them with the live views (the
    log read through `log`; the event table when None)."""
    differences: list[Difference] = []
    for view in views:
        differences += await _check_view(db, app, view, progress, batch_size, log)
    return differences


async def _check_view(
    db: ReadDatabase,
    app: Application[UUID],
    view: View,
    progress: Progress | None,
    batch_size: int | None,
    log: EventReader | None,
) -> list[Difference]:
    scratch = await new_generation(db, view, SCRATCH, indexes=False)  # compared, never queried
    runner = ProjectionRunner(
        db,
        app,
        [view],
        generations={view.name: scratch},
        name=f"check:{view.name}",
        batch_size=batch_size,
        log=log,
    )
    report = _reporter(view.name, progress)
    try:
        for _ in range(CHECK_ATTEMPTS):
            live = await _live(db, view)
            reached = await runner.catch_up(stop=live.position, progress=report)
            async with db.transaction(readonly=True) as snapshot:
                live = await _live(snapshot, view)
                if live.position != reached:
                    continue
                found = await _parked(db, view)
                for table in view.tables:
                    found += await _compare(snapshot, view, table, live.generation, scratch)
                return found
        raise RuntimeError(f"the live view '{view.name}' moved too fast to be compared")
    finally:
        await drop_generation(db, view, scratch)


async def _live(handle: Handle, view: View) -> Any:
    return next(g for g in await generations(handle, view.name) if g.status == LIVE)


async def _parked(db: ReadDatabase, view: View) -> list[Difference]:
    return [
        Difference(
            view.name,
            "parked_events",
            (event.notification_id,),
            ("error",),
            {"error": event.error},
            None,
        )
        for event in await list_parked(db, view.name)
    ]


async def _compare(
    snapshot: Handle, view: View, table: Table, live: int, scratch: int
) -> list[Difference]:
    order = ", ".join(table.key)
    left = await snapshot.fetch(f"SELECT * FROM {table.physical(live)} ORDER BY {order}")  # noqa: S608
    right = await snapshot.fetch(f"SELECT * FROM {table.physical(scratch)} ORDER BY {order}")  # noqa: S608
    rows = {tuple(r[c] for c in table.key): r for r in left}
    replayed = {tuple(r[c] for c in table.key): r for r in right}
    differences = []
    for key in sorted(rows.keys() | replayed.keys(), key=str):
        a, b = rows.get(key), replayed.get(key)
        if a == b:
            continue
        columns = (
            tuple(table.columns)
            if a is None or b is None
            else tuple(c for c in table.columns if a[c] != b[c])
        )
        differences.append(Difference(view.name, table.name, key, columns, a, b))
    return differences
