"""The one command line: `coordination serve | migrate | demo | catalogue`.

Settings come from `COORDINATION_*` environment variables (see `Settings`); options given
here override them for one run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from coordination.audit.cli import register_audit_commands
from coordination.audit.replay_cli import register_replay_command
from coordination.auth.cli import tokens_app
from coordination.bootstrap import STORE_ERRORS, System, open_store
from coordination.cli_options import DatabaseOption, environment_settings
from coordination.ide.cli import ide_app
from coordination.runtime import tune_garbage_collection
from coordination.serve_cli import register_serve_command
from coordination.settings import Settings

app = typer.Typer(
    help="coordination: event-sourced backend of a social-economy development partnership.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = Console(stderr=True)


@app.callback()
def _every_command() -> None:
    """coordination: event-sourced backend of a social-economy development partnership."""
    tune_garbage_collection()


def _settings(database_url: str | None = None) -> Settings:
    settings = environment_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


register_serve_command(app, _settings)


def _open(settings: Settings) -> System:
    """The store, created if missing, or a one-line error and exit code 2 that says why not."""
    try:
        return open_store(settings)
    except STORE_ERRORS as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None


@app.command()
def migrate(database_url: DatabaseOption = None) -> None:
    """Create or update the event store's tables (safe to run again), and the node's
    token-signing key when it has none."""
    from coordination.auth.token_key import create_token_key, token_key_path

    settings = _settings(database_url)
    system = _open(settings)
    try:
        position = system.app.recorder.max_notification_id() or 0
    finally:
        system.close()
    console.print(f"migrated {system.target.describe()} (events recorded: {position})")
    if create_token_key(settings.data_dir):
        console.print(f"created the token-signing key {token_key_path(settings.data_dir)}")


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load only when the event store has no events.")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Load the Stockholm partnership of the source article as demo data."""
    from coordination.demo import load_demo

    settings = _settings(database_url)
    system = _open(settings)
    try:
        if if_empty and (system.app.recorder.max_notification_id() or 0) > 0:
            console.print("demo data not loaded: the event store already has events")
            return
        summary = load_demo(system.app, origin=settings.origin, console=console)
    finally:
        system.close()
    console.print(
        f"loaded the demo partnership {summary.partnership_id}: "
        f"{summary.commands} commands, {summary.events} events"
    )


@app.command()
def rebuild(
    view: Annotated[
        str | None, typer.Argument(help="The view to rebuild (all when omitted).")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Rebuild a view from position 0 beside the live one; switch when it has caught up."""
    from coordination.projections import cli as projections_cli

    projections_cli.rebuild(_settings(database_url), view)


@app.command("check-replay")
def check_replay(database_url: DatabaseOption = None) -> None:
    """Replay every view into scratch tables and compare with the live views, row by row."""
    from coordination.projections import cli as projections_cli

    projections_cli.check_replay(_settings(database_url))


@app.command()
def views(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Show every view's generations: position, events behind the log, parked events and
    whether this release built them (a view another release built is rebuilt at start)."""
    from coordination.projections import cli as projections_cli

    projections_cli.views(_settings(database_url), as_json=as_json)


@app.command()
def catalogue(
    write: Annotated[
        Path | None, typer.Option(help="Write the catalogue to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the catalogue of every event type with its fields (the committed contract)."""
    from coordination.domain.catalogue import event_catalogue

    text = json.dumps(event_catalogue(), indent=2, sort_keys=True) + "\n"
    if write is None:
        typer.echo(text, nl=False)
    else:
        write.write_text(text)
        console.print(f"wrote {write}")


app.add_typer(tokens_app, name="tokens")
app.add_typer(ide_app, name="ide")
register_audit_commands(app, _settings)
register_replay_command(app, _settings)
