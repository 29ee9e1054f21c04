"""`coordination rebuild [VIEW]`, `coordination check-replay` and `coordination views`:
the views' commands, each a plain function of `Settings` that tests call too."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.settings import Settings

if TYPE_CHECKING:
    from coordination.bootstrap import System
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections.status import GenerationStatus

T = TypeVar("T")
#: Differences printed before the rest are only counted.
SHOWN_DIFFERENCES = 50


def _store(settings: Settings) -> System:
    """The node's existing event store, or a usage error that says why there is none."""
    from coordination.bootstrap import STORE_ERRORS, open_existing

    try:
        return open_existing(settings)
    except STORE_ERRORS as error:
        raise typer.BadParameter(str(error)) from None


def _run(settings: Settings, work: Callable[[System, ReadDatabase, Progress], Awaitable[T]]) -> T:
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections.schema import ensure_schema
    from coordination.projections.views import ALL_VIEWS

    async def main() -> T:
        system = _store(settings)
        db = await ReadDatabase.open(system.target)
        try:
            await ensure_schema(db, ALL_VIEWS)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            ) as progress:
                return await work(system, db, progress)
        finally:
            await db.close()
            system.close()

    return asyncio.run(main())


def _bar(progress: Progress, verb: str) -> Callable[[str, int, int], None]:
    tasks: dict[str, object] = {}

    def report(view: str, position: int, head: int) -> None:
        if view not in tasks:
            tasks[view] = progress.add_task(f"{verb} {view}", total=head)
        progress.update(tasks[view], completed=position, total=head)  # type: ignore[arg-type]

    return report


def rebuild(settings: Settings, view: str | None = None) -> None:
    """Rebuild one view (or all) from the log beside the live one and switch when caught up."""
    from coordination.projections.rebuild import rebuild as rebuild_view
    from coordination.projections.views import ALL_VIEWS, view_named

    try:
        # Only a missing argument means every view: an empty one (a script's unset
        # variable) is a view that does not exist, not a rebuild of them all.
        chosen = list(ALL_VIEWS) if view is None else [view_named(view)]
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None

    async def work(system: System, db: ReadDatabase, progress: Progress) -> None:
        report = _bar(progress, "rebuilding")
        for each in chosen:
            done = await rebuild_view(db, system.app, each, progress=report)
            progress.console.print(
                f"{done.view}: generation {done.generation} is live at position {done.position}"
            )

    _run(settings, work)


def check_replay(settings: Settings) -> None:
    """Replay every view into scratch tables and compare; exit 1 on any difference."""
    from coordination.projections.rebuild import check_replay as replay_and_compare
    from coordination.projections.views import ALL_VIEWS

    async def work(system: System, db: ReadDatabase, progress: Progress) -> int:
        differences = await replay_and_compare(
            db, system.app, ALL_VIEWS, progress=_bar(progress, "replaying")
        )
        for difference in differences[:SHOWN_DIFFERENCES]:
            progress.console.print(difference.describe())
        if len(differences) > SHOWN_DIFFERENCES:
            progress.console.print(f"... and {len(differences) - SHOWN_DIFFERENCES} more")
        return len(differences)

    found = _run(settings, work)
    if found:
        Console(stderr=True).print(f"[red]replay differs from the live views in {found} rows[/]")
        raise typer.Exit(code=1)
    Console(stderr=True).print("replay gives the live views exactly")


def views(settings: Settings, *, as_json: bool = False) -> None:
    """Print every view's generations: position, distance to the log's head, parked
    events and whether this release built it. Changes nothing."""
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections.status import view_status
    from coordination.projections.views import ALL_VIEWS

    async def read() -> tuple[int, list[GenerationStatus] | None]:
        system = _store(settings)
        try:
            head = await asyncio.to_thread(system.app.recorder.max_notification_id) or 0
            db = await ReadDatabase.open(system.target)
            try:
                return head, await view_status(db, ALL_VIEWS, head)
            finally:
                await db.close()
        finally:
            system.close()

    head, found = asyncio.run(read())
    if as_json:
        listed = [g.as_json() for g in found or []]
        typer.echo(json.dumps({"head": head, "generations": listed}, indent=2))
        return
    console = Console()
    if found is None:
        console.print("no views yet: `coordination serve` creates and builds them")
        return
    table = Table(title=f"views (the log's head is at {head})")
    for column in ("view", "gen", "status", "position", "behind", "parked", "built by"):
        table.add_column(column, justify="right" if column in {"position", "behind"} else "left")
    for g in found:
        table.add_row(
            g.view,
            str(g.generation),
            g.status,
            str(g.position),
            str(g.behind),
            str(g.parked),
            "this release" if g.current else "another",
        )
    console.print(table)
    for g in found:
        if g.status == "live" and not g.current:
            console.print(f"{g.view}: built by another release; rebuilt at the next start")


def register_view_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add `rebuild`, `check-replay` and `views` to the command line, with the line's way
    of reading settings."""

    @app.command("rebuild")
    def rebuild_command(
        view: Annotated[
            str | None, typer.Argument(help="The view to rebuild (all when omitted).")
        ] = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Rebuild a view from position 0 beside the live one; switch when it has caught up."""
        rebuild(settings_for(database_url), view)

    @app.command("check-replay")
    def check_replay_command(database_url: DatabaseOption = None) -> None:
        """Replay every view into scratch tables and compare with the live views, row by row."""
        check_replay(settings_for(database_url))

    @app.command("views")
    def views_command(
        as_json: Annotated[
            bool, typer.Option("--json", help="Print JSON instead of a table.")
        ] = False,
        database_url: DatabaseOption = None,
    ) -> None:
        """Show every view's generations: position, events behind the log, parked events and
        whether this release built them (a view another release built is rebuilt at start)."""
        views(settings_for(database_url), as_json=as_json)
