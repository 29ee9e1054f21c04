"""The one command line: `coordination serve | migrate | demo | catalogue`.

Settings come from `COORDINATION_*` environment variables (see `Settings`); options given
here override them for one run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from coordination.audit.cli import register_audit_commands
from coordination.audit.replay_cli import register_replay_command
from coordination.auth.cli import tokens_app
from coordination.bootstrap import System, bootstrap
from coordination.persistence.eventstore import DatabaseURLError, parse_database_url
from coordination.runtime import tune_garbage_collection
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


DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides COORDINATION_DATABASE_URL for this run."),
]


def _settings(database_url: str | None = None) -> Settings:
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _open(settings: Settings, *, create_tables: bool = True) -> System:
    """Bootstrap, turning a configuration mistake into a one-line error and exit code 2."""
    try:
        return bootstrap(settings, create_tables=create_tables)
    except DatabaseURLError as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes (more than one needs PostgreSQL)."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Serve the HTTP API: GraphQL (with GraphiQL), the log feed, health, readiness, metrics."""
    import uvicorn

    from coordination.api import create_app
    from coordination.observability import configure_logging

    settings = _settings(database_url)
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    try:
        target = parse_database_url(settings.effective_database_url)
    except DatabaseURLError as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    if workers > 1 and not target.is_postgres:
        console.print(
            "[red]error:[/] several workers need PostgreSQL: an SQLite file takes one"
            " writing process, so serve it with one worker"
        )
        raise typer.Exit(2)
    console.print(f"[bold]coordination[/] serving on [link]http://{host}:{port}[/link]")
    processes = f", {workers} worker processes" if workers > 1 else ""
    console.print(f"  event store: {target.describe()}{processes}")
    console.print(f"  GraphQL (GraphiQL in a browser): http://{host}:{port}/graphql")
    console.print(f"  health: http://{host}:{port}/health   ready: http://{host}:{port}/ready")
    configure_logging()
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)
        return
    # The keys exist before the workers start, so that they do not race to create them
    # (and a production node without its signing key stops here, once, with the reason).
    _prepare_keys(settings)
    # Each worker builds its own app from the environment: hand it this run's options.
    if database_url:
        os.environ["COORDINATION_DATABASE_URL"] = database_url
    uvicorn.run(
        "coordination.api:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


def _prepare_keys(settings: Settings) -> None:
    from coordination.audit.keys import SigningKeyError, load_or_create_signer
    from coordination.auth.tokens import TokenKeys

    TokenKeys.load_or_create(settings.data_dir, settings.origin)
    try:
        load_or_create_signer(settings)
    except SigningKeyError as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None


@app.command()
def migrate(database_url: DatabaseOption = None) -> None:
    """Create or update the event store's tables (safe to run again)."""
    settings = _settings(database_url)
    system = _open(settings)
    try:
        position = system.app.recorder.max_notification_id() or 0
    finally:
        system.close()
    console.print(f"migrated {system.target.describe()} (events recorded: {position})")


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
register_audit_commands(app, _settings)
register_replay_command(app, _settings)
