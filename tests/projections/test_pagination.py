"""Keyset pages: edges, cursors of vanished rows, and cursors that must be refused."""

from __future__ import annotations

import pytest

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import pagination
from coordination.projections.pagination import InvalidCursor, PageTooLarge
from coordination.projections.queries import decisions, forums
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import generations
from coordination_demo import MEMBERS, DemoSummary
from tests.projections.conftest import settle

NAMES = sorted(name for name, _ in MEMBERS)


async def test_empty_list(db: ReadDatabase) -> None:
    page = await decisions.list_decisions(db)
    assert page.edges == []
    assert not page.page_info.has_next_page
    assert page.page_info.end_cursor is None


async def test_exactly_one_page_then_pages_to_the_last(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    whole = await forums.list_organisations(db, first=len(NAMES))
    assert [o.name for o in whole.nodes] == NAMES
    assert not whole.page_info.has_next_page
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await forums.list_organisations(db, first=4, after=after)
        seen += [o.name for o in page.nodes]
        pages += 1
        if not page.page_info.has_next_page:
            break
        after = page.page_info.end_cursor
    assert seen == NAMES
    assert pages == 3
    assert len(page.nodes) == len(NAMES) - 8
    assert page.page_info.has_previous_page


async def test_cursor_of_a_deleted_row_continues_after_it(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    first = await forums.list_organisations(db, first=3)
    gone = first.nodes[-1]
    live = next(g for g in await generations(db, "forums") if g.status == "live")
    await db.execute(
        f"DELETE FROM rv_organisations__g{live.generation} WHERE org_id = $1", str(gone.id)
    )
    rest = await forums.list_organisations(db, first=100, after=first.page_info.end_cursor)
    assert [o.name for o in rest.nodes] == NAMES[3:]


async def test_refused_cursors_and_page_sizes(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    page = await forums.list_organisations(db, first=2)
    cursor = page.page_info.end_cursor
    assert cursor is not None
    body, mac = cursor.split(".")
    tampered = f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{mac}"
    for bad in (tampered, cursor[:-3], "not-a-cursor", f"{body}.{mac}.x", ""):
        with pytest.raises(InvalidCursor):
            await forums.list_organisations(db, first=2, after=bad)
    with pytest.raises(InvalidCursor, match="belongs to the organisations list"):
        await forums.list_themes(db, after=cursor)
    with pytest.raises(PageTooLarge):
        await forums.list_organisations(db, first=101)
    with pytest.raises(PageTooLarge):
        await forums.list_organisations(db, first=-1)
    empty = await forums.list_organisations(db, first=0)
    assert empty.edges == []
    assert empty.page_info.has_next_page
    hundred = await forums.list_organisations(db, first=100)
    assert len(hundred.nodes) == len(NAMES)


async def test_an_edge_signs_its_cursor_only_when_it_is_read(
    system: System,
    db: ReadDatabase,
    runner: ProjectionRunner,
    demo: DemoSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await settle(runner, system.app)
    signed: list[object] = []
    original = pagination.encode_cursor

    def counting(*args: object) -> str:
        signed.append(args)
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pagination, "encode_cursor", counting)
    page = await forums.list_organisations(db, first=6)
    assert signed == []  # not even the page's start and end cursors
    middle = page.edges[2].cursor
    assert len(signed) == 1
    assert page.page_info.end_cursor == page.edges[5].cursor
    assert page.page_info.start_cursor == page.edges[0].cursor
    assert len(signed) == 5
    following = await forums.list_organisations(db, first=1, after=middle)
    assert following.nodes == [page.edges[3].node]
