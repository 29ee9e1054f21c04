"""`coordination migrate` and `coordination demo`: the commands that create the event
store where there is none."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from coordination.bootstrap import STORE_ERRORS, System, open_store
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.settings import Settings

console = Console(stderr=True)


def open_or_exit(settings: Settings) -> System:
    """The store, created if missing, or a one-line error and exit code 2 that says why not."""
    try:
        return open_store(settings)
    except STORE_ERRORS as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None


def register_store_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add `migrate` and `demo` to the command line, with the line's way of reading
    settings."""

    @app.command()
    def migrate(database_url: DatabaseOption = None) -> None:
        """Create or update the event store's tables (safe to run again), and the node's
        token-signing key when it has none."""
        from coordination.audit.keys import keys_dir
        from coordination.auth.token_key import create_token_key, token_key_path

        settings = settings_for(database_url)
        system = open_or_exit(settings)
        try:
            position = system.app.recorder.max_notification_id() or 0
        finally:
            system.close()
        console.print(f"migrated {system.target.describe()} (events recorded: {position})")
        if create_token_key(keys_dir(settings)):
            console.print(f"created the token-signing key {token_key_path(keys_dir(settings))}")

    @app.command()
    def demo(
        if_empty: Annotated[
            bool, typer.Option("--if-empty", help="Load only when the event store has no events.")
        ] = False,
        database_url: DatabaseOption = None,
    ) -> None:
        """Load the Stockholm partnership of the source article as demo data."""
        from coordination_demo import load_demo

        settings = settings_for(database_url)
        system = open_or_exit(settings)
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
