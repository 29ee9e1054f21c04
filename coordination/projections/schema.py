"""The projections' bookkeeping tables and the generations of each view.

``projection_tracking`` holds one row per generation of a view: its status (``live``,
``building`` for a rebuild, ``scratch`` for a replay check) and the notification id it
has processed up to. The position is written in the same transaction as the rows it
accounts for, so a view never claims an event it did not apply, nor applies one twice.
``parked_events`` holds the events a view could not apply (and the later events of the
same stream, held back so the stream's rows never see its events out of order).
``projection_definitions`` records the definition (`View.definition`) each generation
was built with: when a release changes a view, its live generation is replaced by an
empty one that the projector builds from the start, as on a new node.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from coordination.persistence.readdb import Handle, ReadDatabase
from coordination.projections.view import View

LIVE, BUILDING, SCRATCH = "live", "building", "scratch"

BOOKKEEPING = [
    "CREATE TABLE IF NOT EXISTS projection_tracking ("
    " view TEXT NOT NULL, generation INTEGER NOT NULL, status TEXT NOT NULL,"
    " position BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (view, generation))",
    "CREATE TABLE IF NOT EXISTS parked_events ("
    " view TEXT NOT NULL, generation INTEGER NOT NULL, notification_id BIGINT NOT NULL,"
    " stream_id TEXT NOT NULL, stream_version BIGINT NOT NULL, topic TEXT NOT NULL,"
    " error TEXT NOT NULL, retry_requested INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (view, generation, notification_id))",
    "CREATE TABLE IF NOT EXISTS projection_stream_forums ("
    " stream_id TEXT PRIMARY KEY, forum_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS projection_definitions ("
    " view TEXT NOT NULL, generation INTEGER NOT NULL, definition TEXT NOT NULL,"
    " PRIMARY KEY (view, generation))",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    """One generation of a view and how far it has come."""

    view: str
    generation: int
    status: str
    position: int


def lock_key(db: ReadDatabase, name: str) -> int:
    """A 64-bit advisory lock key for `name`, distinct per database schema."""
    schema = getattr(getattr(db, "target", None), "schema", "")
    digest = hashlib.sha256(f"coordination:{schema}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _serialise(db: ReadDatabase, handle: Handle, name: str) -> None:
    """Serialise schema changes between processes (SQLite's writer lock does it already)."""
    if db.is_postgres:
        await handle.execute("SELECT pg_advisory_xact_lock($1)", lock_key(db, name))


async def ensure_schema(db: ReadDatabase, views: tuple[View, ...]) -> list[str]:
    """Create the bookkeeping tables, and generation 1 of every view that has none live.

    A view whose live generation was built with another definition than the view's
    (a release changed its tables, topics or revision; or the generation is older than
    definitions) gets a new, empty live generation in its place, which the projector
    then builds from position 0. Until it has caught up the view answers with what it
    has built so far, as on a new node, and mutations wait for it within their bound.
    Returns the names of the views replaced so.
    """
    replaced: list[str] = []
    async with db.transaction() as tx:
        await _serialise(db, tx, "schema")
        for statement in BOOKKEEPING:
            await tx.execute(statement)
        live = {g.view: g.generation for g in await generations(tx) if g.status == LIVE}
        built_with = await definitions(tx)
        for view in views:
            current = live.get(view.name)
            if current is not None and built_with.get((view.name, current)) == view.definition:
                continue
            number = await _create(tx, view, LIVE)
            for table in view.tables:
                for statement in table.point_view_statements(number):
                    await tx.execute(statement)
            if current is not None:  # dropped once nothing points at its tables
                log.warning(
                    "the %s view was built with another definition: building it again",
                    view.name,
                    extra={"fields": {"view": view.name, "generation": current}},
                )
                await _drop(tx, view, current, even_live=True)
                replaced.append(view.name)
    return replaced


async def definitions(handle: Handle) -> dict[tuple[str, int], str]:
    """(view, generation) -> the definition it was built with."""
    rows = await handle.fetch("SELECT view, generation, definition FROM projection_definitions")
    return {(r["view"], r["generation"]): r["definition"] for r in rows}


async def generations(handle: Handle, view: str | None = None) -> list[Generation]:
    """Every generation (of `view`, when given), oldest first."""
    rows = await handle.fetch(
        "SELECT view, generation, status, position FROM projection_tracking"
        " WHERE ($1 = '' OR view = $1) ORDER BY view, generation",
        view or "",
    )
    return [Generation(r["view"], r["generation"], r["status"], r["position"]) for r in rows]


async def new_generation(db: ReadDatabase, view: View, status: str, *, indexes: bool = True) -> int:
    """Create empty tables for a new generation of `view`, at position 0.

    Args:
        db: The read database.
        view: The view.
        status: The generation's status.
        indexes: Create the secondary indexes now; False leaves them to
            `create_indexes`, for a generation filled in bulk before anyone queries it.
    """
    async with db.transaction() as tx:
        await _serialise(db, tx, "schema")
        return await _create(tx, view, status, indexes=indexes)


async def create_indexes(db: ReadDatabase, view: View, generation: int) -> None:
    """Create the secondary indexes of a generation made without them (if still missing)."""
    async with db.transaction() as tx:
        await _serialise(db, tx, "schema")
        for table in view.tables:
            for statement in table.index_statements(generation):
                await tx.execute(statement)


async def _create(tx: Handle, view: View, status: str, *, indexes: bool = True) -> int:
    latest = await tx.fetchval(
        "SELECT MAX(generation) FROM projection_tracking WHERE view = $1", view.name
    )
    number = int(latest or 0) + 1
    for table in view.tables:
        for statement in table.create_statements(number, indexes=indexes):
            await tx.execute(statement)
    await tx.execute(
        "INSERT INTO projection_tracking (view, generation, status, position)"
        " VALUES ($1, $2, $3, 0)",
        view.name,
        number,
        status,
    )
    await tx.execute(
        "INSERT INTO projection_definitions (view, generation, definition) VALUES ($1, $2, $3)",
        view.name,
        number,
        view.definition,
    )
    return number


@dataclass(frozen=True)
class Switch:
    """The outcome of `switch_live`: whether it switched, and the generation it retired."""

    switched: bool
    retired: int | None = None


async def switch_live(db: ReadDatabase, view: View, generation: int) -> Switch:
    """Make `generation` the live one, if it has come at least as far as the live one.

    Runs in one transaction that locks both tracking rows, so the live projector cannot
    commit in between; it notices the switch at its next batch.
    """
    async with db.transaction() as tx:
        await _serialise(db, tx, f"switch:{view.name}")
        lock = " FOR UPDATE" if db.is_postgres else ""
        rows = await tx.fetch(
            "SELECT generation, status, position FROM projection_tracking"  # noqa: S608
            f" WHERE view = $1 AND (status = $2 OR generation = $3){lock}",
            view.name,
            LIVE,
            generation,
        )
        live = [r for r in rows if r["status"] == LIVE]
        candidate = [r for r in rows if r["generation"] == generation]
        if not candidate:
            raise ValueError(f"generation {generation} of view '{view.name}' does not exist")
        old = live[0] if live else None
        if old is not None and candidate[0]["position"] < old["position"]:
            return Switch(switched=False)
        if old is not None:
            await tx.execute(
                "DELETE FROM projection_tracking WHERE view = $1 AND generation = $2",
                view.name,
                old["generation"],
            )
        await tx.execute(
            "UPDATE projection_tracking SET status = $1 WHERE view = $2 AND generation = $3",
            LIVE,
            view.name,
            generation,
        )
        for table in view.tables:
            for statement in table.point_view_statements(generation):
                await tx.execute(statement)
        return Switch(True, None if old is None else int(old["generation"]))


async def drop_generation(db: ReadDatabase, view: View, generation: int) -> None:
    """Drop a generation that is no longer live: its tables, tracking row, parked events
    and definition."""
    async with db.transaction() as tx:
        await _serialise(db, tx, "schema")
        await _drop(tx, view, generation, even_live=False)


async def _drop(tx: Handle, view: View, generation: int, *, even_live: bool) -> None:
    """Drop a generation's tables and bookkeeping; its tracking row only if it is not the
    live one, unless `even_live`."""
    for table in view.tables:
        await tx.execute(table.drop_statement(generation))
    await tx.execute(
        "DELETE FROM projection_tracking WHERE view = $1 AND generation = $2"
        " AND (status <> $3 OR $4)",
        view.name,
        generation,
        LIVE,
        even_live,
    )
    for bookkeeping in ("parked_events", "projection_definitions"):
        await tx.execute(
            f"DELETE FROM {bookkeeping} WHERE view = $1 AND generation = $2",  # noqa: S608
            view.name,
            generation,
        )


async def live_position(handle: Handle) -> int:
    """How far every live view has been committed: what a reader of the views sees."""
    found = await handle.fetchval(
        "SELECT MIN(position) FROM projection_tracking WHERE status = $1", LIVE
    )
    return int(found or 0)
