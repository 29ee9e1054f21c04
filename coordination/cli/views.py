"""`coordination rebuild [VIEW]`, `coordination check-replay` and `coordination views`:
the views' commands, each a plain function of `Settings` that tests call too.

`rebuild` and `check-replay` build views from the node's signed log, verified first
(`bootstrap.verified_views`), not from the event table: an event altered in the table
after it was logged is not what they build, and `check-replay` says where the table and
the log disagree.
"""

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
    from coordination.audit.note import Verifier
    from coordination.bootstrap import System
    from coordination.bootstrap.verified_views import VerifiedReading
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections.status import GenerationStatus

T = TypeVar("T")
#: Differences printed before the rest are only counted.
SHOWN_DIFFERENCES = 50
#: `--key`: the key the node's log must verify with, over the node's own.
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key", help="The node's verifier key line, or a file holding it (default: its own)."
    ),
]


def _store(settings: Settings) -> System:
    """The node's existing event store, or a usage error that says why there is none."""
    from coordination.bootstrap import STORE_ERRORS, open_existing

    try:
        return open_existing(settings)
    except STORE_ERRORS as error:
        raise typer.BadParameter(str(error)) from None


Work = Callable[["System", "ReadDatabase", "VerifiedReading", Progress], Awaitable[T]]


def _verifier(settings: Settings, key: str | None) -> Verifier | None:
    """The key the log must verify with: ``--key``, else the node's own; None if neither
    (which is enough while the log has no checkpoint)."""
    from coordination.audit.keys import SigningKeyError, load_signer
    from coordination.audit.note import NoteError
    from coordination.cli.audit import verifier_key

    try:
        given = verifier_key(key)
    except (NoteError, OSError) as error:
        raise typer.BadParameter(f"--key: {error}") from None
    if given is not None:
        return given
    try:
        return load_signer(settings).verifier
    except SigningKeyError:
        return None


def _run(settings: Settings, key: str | None, work: Work[T]) -> T:
    """Run ``work`` over the node's store, its views and its verified log; exit 1 when the
    log does not verify, 2 when it cannot be verified for want of a key."""
    from coordination.audit.verified import LogChanged, LogNotVerified
    from coordination.bootstrap.verified_views import NoVerifierKey, verified_reading
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections.schema import ensure_schema
    from coordination.projections.views import ALL_VIEWS

    verifier = _verifier(settings, key)

    async def main() -> T:
        system = _store(settings)
        db = await ReadDatabase.open(system.target)
        try:
            await ensure_schema(db, ALL_VIEWS)
            async with verified_reading(system, db, verifier) as reading:
                console = Console(stderr=True)
                console.print(reading.describe())
                with Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console,
                ) as progress:
                    return await work(system, db, reading, progress)
        finally:
            await db.close()
            system.close()

    try:
        return asyncio.run(main())
    except NoVerifierKey as error:
        raise typer.BadParameter(str(error)) from None
    except (LogNotVerified, LogChanged) as error:
        Console(stderr=True).print(f"[red]error:[/] {error}; nothing was built from it")
        raise typer.Exit(code=1) from None


def _bar(progress: Progress, verb: str) -> Callable[[str, int, int], None]:
    tasks: dict[str, object] = {}

    def report(view: str, position: int, head: int) -> None:
        if view not in tasks:
            tasks[view] = progress.add_task(f"{verb} {view}", total=head)
        progress.update(tasks[view], completed=position, total=head)  # type: ignore[arg-type]

    return report


def rebuild(settings: Settings, view: str | None = None, *, key: str | None = None) -> None:
    """Rebuild one view (or all) from the verified log beside the live one and switch when
    caught up (``key``: the verifier key line or its file; the node's own by default)."""
    from coordination.projections.rebuild import rebuild as rebuild_view
    from coordination.projections.views import ALL_VIEWS, view_named

    try:
        # Only a missing argument means every view: an empty one (a script's unset
        # variable) is a view that does not exist, not a rebuild of them all.
        chosen = list(ALL_VIEWS) if view is None else [view_named(view)]
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None

    async def work(
        system: System, db: ReadDatabase, reading: VerifiedReading, progress: Progress
    ) -> None:
        report = _bar(progress, "rebuilding")
        for each in chosen:
            done = await rebuild_view(db, system.app, each, progress=report, log=reading.reader)
            progress.console.print(
                f"{done.view}: generation {done.generation} is live at position {done.position}"
            )

    _run(settings, key, work)


def check_replay(settings: Settings, *, key: str | None = None) -> None:
    """Replay every view from the verified log into scratch tables and compare them with the
    live views, and the event table with the log; exit 1 on any difference."""
    from coordination.projections.rebuild import check_replay as replay_and_compare
    from coordination.projections.views import ALL_VIEWS

    async def work(
        system: System, db: ReadDatabase, reading: VerifiedReading, progress: Progress
    ) -> tuple[int, int]:
        disagreements = await reading.table_disagreements(system)
        _show(progress.console, [d.describe() for d in disagreements], "the event table:")
        differences = await replay_and_compare(
            db, system.app, ALL_VIEWS, progress=_bar(progress, "replaying"), log=reading.reader
        )
        _show(progress.console, [d.describe() for d in differences], "")
        return len(disagreements), len(differences)

    disagree, differ = _run(settings, key, work)
    console = Console(stderr=True)
    if disagree:
        console.print(
            f"[red]the event table and the signed log disagree at {disagree} entries:"
            " the views are built from the log[/]"
        )
    if differ:
        console.print(f"[red]replay differs from the live views in {differ} rows[/]")
    if disagree or differ:
        raise typer.Exit(code=1)
    console.print("replay gives the live views exactly, and the event table is the signed log")


def _show(console: Console, lines: list[str], prefix: str) -> None:
    """Print the first `SHOWN_DIFFERENCES` lines, and how many more there are."""
    for line in lines[:SHOWN_DIFFERENCES]:
        console.print(f"{prefix} {line}".strip())
    if len(lines) > SHOWN_DIFFERENCES:
        console.print(f"... and {len(lines) - SHOWN_DIFFERENCES} more")


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
        key: KeyOption = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Rebuild a view from the verified log beside the live one; switch when caught up."""
        rebuild(settings_for(database_url), view, key=key)

    @app.command("check-replay")
    def check_replay_command(key: KeyOption = None, database_url: DatabaseOption = None) -> None:
        """Replay every view from the verified log and compare with the live views, row by
        row, and the event table with the log, entry by entry."""
        check_replay(settings_for(database_url), key=key)

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
