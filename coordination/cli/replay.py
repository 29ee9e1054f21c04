"""The ``coordination replay --as-of TIME|INDEX [--bundle DIR]`` command: the partnership's
state at a moment, from the node's verified log or from an exported bundle alone.

A plain function of the settings (``replay``) does the work and returns an exit code, so
tests call it; ``register_replay_command`` adds it to the node's typer app. (No postponed
annotations: typer must see the option types.)
"""

import asyncio
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from coordination.audit._encoding import b64encode
from coordination.audit.keys import SigningKeyError, load_signer
from coordination.audit.note import NoteError, Signer, Verifier
from coordination.audit.replay import AsOf, Replayed, ReplayError, parse_as_of
from coordination.audit.verified import LogChanged, LogNotVerified
from coordination.bootstrap import STORE_ERRORS
from coordination.cli.audit import verifier_key
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.pagination import MAX_FIRST, Page
from coordination.projections.queries.actions import ActionView, list_actions
from coordination.projections.queries.decisions import DecisionSummary, list_decisions
from coordination.projections.queries.forums import Forum, list_forums
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings

if TYPE_CHECKING:
    from coordination.bootstrap.replay import Replay

T = TypeVar("T")


@dataclass
class ReplayedState:
    """What the replayed views hold: row counts per view table, forums, decisions, actions."""

    counts: dict[str, int] = field(default_factory=dict)
    forums: list[Forum] = field(default_factory=list)
    decisions: list[DecisionSummary] = field(default_factory=list)
    open_actions: list[ActionView] = field(default_factory=list)


async def _every(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> list[T]:
    items: list[T] = []
    after: str | None = None
    while True:
        page = await fetch(after)
        items += [edge.node for edge in page.edges]
        if not page.page_info.has_next_page:
            return items
        after = page.page_info.end_cursor


async def read_state(db: ReadDatabase, replayed: Replayed) -> ReplayedState:
    """Read the replayed views: counts per table, then the forums, decisions, open actions.

    Open actions are judged overdue against the cut-off's recorded day.
    """
    state = ReplayedState()
    for view in ALL_VIEWS:
        for table in view.tables:
            count = await db.fetchval(f"SELECT COUNT(*) FROM {table.view_name}")  # noqa: S608
            state.counts[f"{view.name}.{table.name}"] = int(count)
    today = replayed.cut_off.recorded_at.date()
    state.forums = await _every(lambda after: list_forums(db, first=MAX_FIRST, after=after))
    state.decisions = await _every(lambda after: list_decisions(db, first=MAX_FIRST, after=after))
    state.open_actions = await _every(
        lambda after: list_actions(db, today=today, status="open", first=MAX_FIRST, after=after)
    )
    return state


def print_state(replayed: Replayed, state: ReplayedState, console: Console) -> None:
    """Print the cut-off, the counts, and the forums, decisions and open actions."""
    cut = replayed.cut_off
    head = Table(show_header=False, box=None, title="replayed as of")
    head.add_row("asked", replayed.as_of.describe())
    head.add_row("log", replayed.source)
    head.add_row(
        "verified",
        f"every entry, against the signed checkpoint of {replayed.log_size} entries"
        f" (root {b64encode(replayed.root)})",
    )
    head.add_row("log index", f"{cut.index} (the log has {replayed.log_size} entries)")
    if cut.notification_id is not None:
        head.add_row("notification id", str(cut.notification_id))
    head.add_row("recorded at", f"{cut.recorded_at.isoformat()} (the event store's time)")
    head.add_row("events replayed", str(replayed.events))
    head.add_row("database", str(replayed.path))
    console.print(head)
    counts = Table("view.table", "rows", title="rows per view table")
    for name, count in state.counts.items():
        counts.add_row(name, str(count))
    console.print(counts)
    forums = Table("kind", "name", "status", "members", title="forums")
    for forum in state.forums:
        forums.add_row(forum.kind, forum.name, forum.status, str(forum.member_count))
    console.print(forums)
    decisions = Table("title", "status", "in force", "revision", title="decisions")
    for decision in state.decisions:
        in_force = "yes" if decision.in_force else "no"
        decisions.add_row(decision.title, decision.status, in_force, str(decision.revision))
    console.print(decisions)
    actions = Table("due", "description", "progress", "overdue", title="open actions")
    for action in state.open_actions:
        overdue = "yes" if action.overdue else "no"
        actions.add_row(
            action.due_on.isoformat(), action.description, f"{action.progress}%", overdue
        )
    console.print(actions)


@dataclass(frozen=True)
class ReplayRequest:
    """What to replay: up to which moment, from where (the node, or a bundle alone), with
    which key, into which file, and whether to integrate the node's log first."""

    as_of: str
    into: Path
    bundle: Path | None = None
    key: str | None = None
    integrate: bool = True


async def _replay_and_print(
    settings: Settings, request: ReplayRequest, console: Console
) -> ReplayedState:
    from coordination.bootstrap.replay import replay_bundle

    as_of = parse_as_of(request.as_of)
    key = verifier_key(request.key)
    if request.bundle is not None:
        if key is None:
            console.print(
                "[yellow]warning:[/] verified with the bundle's own key; pass --key with the"
                " node's verifier key obtained independently"
            )
        done = await replay_bundle(request.bundle, as_of, request.into, settings, key=key)
    else:
        done = await _replay_node(settings, as_of, request, key, console)
    replayed, target, projections = done
    try:
        state = await read_state(projections.db, replayed)
    finally:
        await projections.stop()
        target.close()
    print_state(replayed, state, console)
    return state


async def _replay_node(
    settings: Settings,
    as_of: AsOf,
    request: ReplayRequest,
    key: Verifier | None,
    console: Console,
) -> "Replay":
    from coordination.bootstrap import open_existing
    from coordination.bootstrap.replay import replay as replay_log

    source = open_existing(settings)  # first: a missing store is the first thing to say
    try:
        signer: Signer | None = None
        try:
            signer = load_signer(settings)
        except SigningKeyError as error:
            if key is None:
                raise ReplayError(
                    f"{error}; without the node's key, give its verifier key with --key"
                ) from None
            if request.integrate:
                console.print("[yellow]warning:[/] no signing key: replaying the log as integrated")
        verifier = key if key is not None else signer.verifier if signer is not None else None
        assert verifier is not None  # a key was given, or the node's was loaded
        return await replay_log(
            source,
            as_of,
            request.into,
            verifier=verifier,
            signer=signer if request.integrate else None,
        )
    finally:
        source.close()


def replay(
    settings: Settings,
    as_of: str,
    into: Path | None = None,
    *,
    bundle: Path | None = None,
    key: str | None = None,
    integrate: bool = True,
    console: Console | None = None,
) -> int:
    """Rebuild every view from the verified log up to ``as_of`` into a separate database
    and print the state then; 0 on success, 1 when the log does not verify, 2 when the
    cut-off cannot be served or nothing can be read.

    Args:
        settings: The node's settings (its event store is only read, and integrated).
        as_of: A log index, an ISO date (its end, UTC) or an RFC 3339 time, compared
            with the entries' recorded times.
        into: The new SQLite file to keep the replay in; by default a temporary file,
            removed after printing.
        bundle: Replay this exported bundle, with nothing of the node.
        key: The node's verifier key line, or a file holding it; by default the node's
            own key (from a bundle: the bundle's, with a warning).
        integrate: Integrate events not yet in the log first (needs the signing key).
        console: Where to print (stdout by default).
    """
    console = console or Console()
    scratch: Path | None = None
    if into is None:
        scratch = Path(tempfile.mkdtemp(prefix="coordination-replay-"))
    path = into if into is not None else Path(scratch or ".") / "replay.db"
    request = ReplayRequest(as_of, path, bundle, key, integrate)
    try:
        asyncio.run(_replay_and_print(settings, request, console))
    except (LogNotVerified, LogChanged) as error:
        Console(stderr=True).print(f"[red]error:[/] {error}")
        return 1
    except (ReplayError, NoteError, OSError, *STORE_ERRORS) as error:
        Console(stderr=True).print(f"[red]error:[/] {error}")
        return 2
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def register_replay_command(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add ``replay --as-of TIME|INDEX [--bundle DIR] [--key KEY] [--into PATH]`` to the
    node's typer app.

    Args:
        app: The node's typer app.
        settings_for: Builds the settings, given an optional ``--database-url`` override.
    """

    @app.command("replay")
    def replay_command(
        as_of: Annotated[
            str,
            typer.Option(
                "--as-of",
                help="A log index, an ISO date (its end, UTC) or an RFC 3339 time,"
                " compared with when the node recorded each event.",
            ),
        ],
        into: Annotated[
            Path | None, typer.Option(help="Keep the replay in this new SQLite file.")
        ] = None,
        bundle: Annotated[
            Path | None,
            typer.Option(help="Replay this exported bundle alone, not the node's database."),
        ] = None,
        key: Annotated[
            str | None,
            typer.Option(
                help="The node's verifier key line, or a file holding it (default: the"
                " node's own key; from a bundle, the bundle's, with a warning)."
            ),
        ] = None,
        integrate: Annotated[
            bool, typer.Option(help="Integrate unlogged events first (needs the key).")
        ] = True,
        database_url: DatabaseOption = None,
    ) -> None:
        """Rebuild every view from the verified log up to a moment; print the state then."""
        settings = settings_for(database_url)
        raise typer.Exit(replay(settings, as_of, into, bundle=bundle, key=key, integrate=integrate))


__all__ = ["ReplayedState", "print_state", "read_state", "register_replay_command", "replay"]
