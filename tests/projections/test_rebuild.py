"""Rebuilding a view beside the live one, and the replay check that compares them."""

from __future__ import annotations

import asyncio
import threading

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries import actions
from coordination.projections.rebuild import check_replay, rebuild
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import (
    BUILDING,
    create_indexes,
    generations,
    new_generation,
)
from coordination.projections.views import ALL_VIEWS
from coordination.projections.views import actions as actions_view
from coordination_demo import DemoSummary
from tests.projections.conftest import NOW, settle
from tests.projections.support import assign


async def test_rebuild_while_commands_arrive_ends_equal_to_the_live_view(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    app = system.app
    await settle(runner, app)
    created: list[object] = []
    one_more = threading.Event()
    stop = threading.Event()

    def keep_commanding() -> None:
        while not stop.is_set() and len(created) < 300:
            created.append(assign(app, demo, f"Arrived during the rebuild {len(created)}"))
            one_more.set()

    writer = threading.Thread(target=keep_commanding)
    writer.start()
    during: list[int] = []

    async def progress(view: str, position: int, head: int) -> None:
        if not during:  # hold the rebuild until a command arrives in the middle of it
            during.append(len(created))
            one_more.clear()
            # Awaited, not blocking: the live projector goes on (and lets go of SQLite's
            # write lock, which the commands need).
            assert await asyncio.to_thread(one_more.wait, 10), "no command arrived"
        during.append(len(created))

    try:
        done = await rebuild(db, app, actions_view.VIEW, progress=progress, batch_size=20)
    finally:
        stop.set()
        writer.join(timeout=30)
    await settle(runner, app)
    assert during
    assert during[-1] > during[0]
    assert done.generation == 2
    assert [(g.generation, g.status) for g in await generations(db, "actions")] == [(2, "live")]
    assert await db.fetchval("SELECT COUNT(*) FROM rv_actions") == 5 + len(created)
    newest = await actions.get_action(db, created[-1], today=NOW.date())  # type: ignore[arg-type]
    assert newest is not None
    assert await check_replay(db, app, ALL_VIEWS) == []


async def test_check_replay_reports_a_row_altered_by_hand(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    assert await check_replay(db, system.app, ALL_VIEWS) == []
    live = next(g for g in await generations(db, "forums") if g.status == "live")
    altered = demo.ids["member:ABF Stockholm"]
    await db.execute(
        f"UPDATE rv_organisations__g{live.generation} SET name = 'Altered' WHERE org_id = $1",
        str(altered),
    )
    differences = await check_replay(db, system.app, ALL_VIEWS)
    assert [(d.view, d.table, d.key, d.columns) for d in differences] == [
        ("forums", "organisations", (str(altered),), ("name",))
    ]
    assert differences[0].live is not None
    assert differences[0].live["name"] == "Altered"
    assert "name differ" in differences[0].describe()
    assert len(await generations(db, "forums")) == 1  # the scratch tables are gone


async def _secondary_indexes(db: ReadDatabase, table: str) -> set[str]:
    if db.is_postgres:
        rows = await db.fetch(
            "SELECT indexname AS name FROM pg_indexes"
            " WHERE schemaname = current_schema() AND tablename = $1",
            table,
        )
    else:  # SQLite's own index for the primary key has no SQL
        rows = await db.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1"
            " AND sql IS NOT NULL",
            table,
        )
    return {str(r["name"]) for r in rows} - {f"{table}_pkey"}


async def test_a_generation_filled_in_bulk_gets_its_indexes_afterwards(db: ReadDatabase) -> None:
    view, table = actions_view.VIEW, actions_view.ACTIONS
    generation = await new_generation(db, view, BUILDING, indexes=False)
    physical = table.physical(generation)
    assert await _secondary_indexes(db, physical) == set()
    await create_indexes(db, view, generation)
    await create_indexes(db, view, generation)  # again: nothing more, no error
    expected = {f"{physical}_i{n}" for n in range(len(table.indexes))}
    assert len(expected) == 3
    assert await _secondary_indexes(db, physical) == expected


async def test_a_rebuilt_generation_goes_live_with_its_indexes(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    table = actions_view.ACTIONS
    done = await rebuild(db, system.app, actions_view.VIEW, batch_size=2)
    physical = table.physical(done.generation)
    expected = {f"{physical}_i{n}" for n in range(len(table.indexes))}
    assert await _secondary_indexes(db, physical) == expected
    await settle(runner, system.app)
    assert await check_replay(db, system.app, ALL_VIEWS) == []
