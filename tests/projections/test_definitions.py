"""A view changed by a release is built again from the start; unchanged views are kept."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import LIVE, ensure_schema, generations
from coordination.projections.view import View
from coordination.projections.views import ALL_VIEWS
from coordination.projections.views import decisions as decisions_view
from coordination_demo import DemoSummary


def with_changed(name: str) -> tuple[View, ...]:
    """ALL_VIEWS as a release would have them with view `name` changed."""
    return tuple(
        dataclasses.replace(view, revision=view.revision + 1) if view.name == name else view
        for view in ALL_VIEWS
    )


async def live(db: ReadDatabase) -> dict[str, tuple[int, int]]:
    """View -> (live generation, its position)."""
    return {g.view: (g.generation, g.position) for g in await generations(db) if g.status == LIVE}


async def rows(db: ReadDatabase, table: str) -> list[dict[str, Any]]:
    found = await db.fetch(f"SELECT * FROM rv_{table}")
    return sorted((dict(r) for r in found), key=repr)


async def test_each_generation_records_the_definition_it_is_built_with(db: ReadDatabase) -> None:
    recorded = {
        (r["view"], r["generation"]): r["definition"]
        for r in await db.fetch("SELECT view, generation, definition FROM projection_definitions")
    }
    for view in ALL_VIEWS:
        generation, _ = (await live(db))[view.name]
        assert recorded[(view.name, generation)] == view.definition
    assert len({view.definition for view in ALL_VIEWS}) == len(ALL_VIEWS)
    changed = with_changed("decisions")[[v.name for v in ALL_VIEWS].index("decisions")]
    assert changed.definition != decisions_view.VIEW.definition


async def test_a_changed_view_is_built_again_and_the_others_are_kept(
    system: System, db: ReadDatabase, demo: DemoSummary
) -> None:
    head = await ProjectionRunner(db, system.app).catch_up()
    assert head > 0
    before = await live(db)
    decided = await rows(db, "decisions")
    positions = await rows(db, "decision_positions")
    assert decided

    release = with_changed("decisions")
    assert await ensure_schema(db, release) == ["decisions"]
    after = await live(db)
    assert after["decisions"][0] > before["decisions"][0]
    assert after["decisions"][1] == 0
    assert await rows(db, "decisions") == []
    assert {k: v for k, v in after.items() if k != "decisions"} == {
        k: v for k, v in before.items() if k != "decisions"
    }
    # The old generation is gone with its bookkeeping.
    assert not [
        g for g in await generations(db, "decisions") if g.generation != after["decisions"][0]
    ]
    assert (
        await db.fetchval("SELECT COUNT(*) FROM projection_definitions WHERE view = 'decisions'")
        == 1
    )

    assert await ProjectionRunner(db, system.app, release).catch_up() == head
    assert await rows(db, "decisions") == decided
    assert await rows(db, "decision_positions") == positions
    # Started again with the same release, nothing is replaced.
    assert await ensure_schema(db, release) == []
    assert (await live(db))["decisions"] == (after["decisions"][0], head)


async def test_a_generation_from_before_definitions_is_built_again_once(db: ReadDatabase) -> None:
    await db.execute("DELETE FROM projection_definitions WHERE view = 'actions'")
    assert await ensure_schema(db, ALL_VIEWS) == ["actions"]
    assert await ensure_schema(db, ALL_VIEWS) == []


async def test_processes_starting_together_replace_a_changed_view_once(
    system: System, db: ReadDatabase
) -> None:
    other = await ReadDatabase.open(system.target)
    try:
        release = with_changed("actions")
        outcomes = await asyncio.gather(ensure_schema(db, release), ensure_schema(other, release))
    finally:
        await other.close()
    assert sorted(outcomes) == [[], ["actions"]]
    assert len([g for g in await generations(db, "actions") if g.status == LIVE]) == 1


async def test_a_process_of_another_release_does_not_write_to_the_view(
    system: System, db: ReadDatabase, demo: DemoSummary
) -> None:
    before = await live(db)
    other_release = ProjectionRunner(db, system.app, with_changed("decisions"))
    with pytest.raises(RuntimeError, match="another definition of the view"):
        await other_release.catch_up()
    assert await live(db) == before  # nothing written, not even to the other views
    assert await rows(db, "decisions") == []
