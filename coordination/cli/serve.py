"""`coordination serve`: the HTTP API in one process or several, and the log's integrator
beside it (a thread of each, or a child process it watches: decision 18).

The command checks the store and the keys and says what it serves; `coordination.serve`
runs the processes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from coordination.bootstrap import STORE_ERRORS, reached
from coordination.cli.options import DatabaseOption
from coordination.settings import Settings

console = Console(stderr=True)


def register_serve_command(
    app: typer.Typer, settings_for: Callable[[str | None], Settings]
) -> None:
    """Add `serve` to the command line, with the line's way of reading settings."""

    @app.command("serve")
    def serve_command(
        host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
        port: Annotated[
            int | None, typer.Option(min=1, max=65535, help="Port to listen on.")
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option(min=1, max=64, help="Worker processes (more than one needs PostgreSQL)."),
        ] = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Serve the API: GraphQL (with GraphiQL), the log feed, health, readiness, metrics."""
        serve(settings_for(database_url), host=host, port=port, workers=workers)


def serve(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
) -> None:
    """Serve the HTTP API: GraphQL (with GraphiQL), the log feed, health, readiness, metrics."""
    from coordination.observability import configure_logging
    from coordination.serve.node import run_node

    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    try:
        # A store not yet migrated is served (not ready until it is); a malformed URL, or a
        # server that does not take a connection, stops `serve` here with the reason.
        target = reached(settings)
    except STORE_ERRORS as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    if workers > 1 and not target.is_postgres:
        console.print(
            "[red]error:[/] several workers need PostgreSQL: an SQLite file takes one"
            " writing process, so serve it with one worker"
        )
        raise typer.Exit(2)
    # The keys exist before the app, the workers and the integrator start, so that they
    # do not race to create them; a production node without its signing key, or a key
    # others may read, stops here, once, with the reason.
    prepare_keys(settings)
    console.print(f"[bold]coordination[/] serving on [link]http://{host}:{port}[/link]")
    processes = f", {workers} worker processes" if workers > 1 else ""
    console.print(f"  event store: {target.describe()}{processes}")
    console.print(f"  GraphQL (GraphiQL in a browser): http://{host}:{port}/graphql")
    console.print(f"  health: http://{host}:{port}/health   ready: http://{host}:{port}/ready")
    integration = settings.integration(postgres=target.is_postgres)
    console.print(f"  the log's integrator: {_INTEGRATION[integration]}")
    configure_logging()
    settings = settings.model_copy(update={"integrate": integration})
    run_node(settings, host, port, workers)


_INTEGRATION = {
    "process": "a process of its own, started and watched by this one",
    "thread": "a thread of each serving process",
    "off": "not run by serve (COORDINATION_INTEGRATE=off)",
}


def prepare_keys(settings: Settings) -> None:
    """Create the keys a starting node makes for itself, saying which, and check them all;
    exit code 2 with the reason when one cannot be used.

    The keys directory is made 0700 where it is missing, and refused where others may
    enter it; the token-signing key is made wherever it is missing; the log's signing key
    outside production only (`load_or_create_signer`).
    """
    from coordination.audit.keys import (
        SigningKeyError,
        key_path,
        load_or_create_signer,
        private_keys_dir,
    )
    from coordination.auth.token_key import TokenKeyError, create_token_key, token_key_path
    from coordination.auth.tokens import TokenKeys
    from coordination.private_files import exposure

    log_key_missing = settings.signing_key is None and not key_path(settings).exists()
    try:
        directory = private_keys_dir(settings)
        if create_token_key(directory):
            console.print(f"created the token-signing key {token_key_path(directory)}")
        TokenKeys.load(directory, settings.origin)
        load_or_create_signer(settings)
    except (TokenKeyError, SigningKeyError) as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    if log_key_missing:
        console.print(f"created the log's signing key {key_path(settings)}")
    problem = exposure(settings.data_dir)
    if problem is not None:
        console.print(f"[yellow]warning:[/] {problem}")
