"""`coordination serve`: the HTTP API in one process or several, and the log's integrator
beside it (a thread of each, or a child process it watches: decision 18)."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from typing import Annotated, Protocol

import typer
from rich.console import Console

from coordination.bootstrap import STORE_ERRORS, reached
from coordination.cli.options import DatabaseOption
from coordination.runtime import stop_signals_handled
from coordination.settings import Settings

console = Console(stderr=True)

#: The exit code of a server whose app failed to start, as `uvicorn.run` exits with.
STARTUP_FAILURE = 3


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
    supervisor = None
    if integration == "process":
        from coordination.audit.supervisor import IntegratorProcess
        from coordination.observability.integrator_status import STATUS_FILE

        supervisor = IntegratorProcess(
            _environment(settings), status=settings.data_dir / STATUS_FILE
        )
    # Held from before the child starts: a signal from then on stops the child first.
    with _signals_held_while(supervisor is not None) as held:
        try:
            if supervisor is not None:
                supervisor.start()
            _run_uvicorn(settings, host, port, workers, held)
        finally:
            if supervisor is not None:
                supervisor.stop()


def _run_uvicorn(settings: Settings, host: str, port: int, workers: int, held: HeldSignals) -> None:
    import uvicorn

    from coordination.http.app import create_app

    if held.received:
        return  # stopped while starting: serve nothing
    if workers == 1:
        app = create_app(settings)
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
        server = uvicorn.Server(config)
        held.stops(server)
        with contextlib.suppress(KeyboardInterrupt):  # as `uvicorn.run` does
            server.run()
        if not server.started:
            raise SystemExit(STARTUP_FAILURE)
        return
    _run_workers(settings, host, port, workers, held)


def _run_workers(settings: Settings, host: str, port: int, workers: int, held: HeldSignals) -> None:
    """What `uvicorn.run` does for several workers, with no window for a stop signal.

    Uvicorn's process manager takes the stop signals from when it is made; one that came
    before, while `serve` held them, would otherwise wait for a server that never ends.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    # Each worker builds its own app from the environment: hand it this run's options.
    os.environ.update(_environment(settings))
    config = uvicorn.Config(
        "coordination.http.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )
    sock = config.bind_socket()
    try:
        manager = Multiprocess(config, sockets=[sock])
        if not held.received:  # one that came before the manager took over: start nothing
            manager.run()
    finally:
        sock.close()


class HeldSignals:
    """The stop signals `serve` received while it held them, and the server they stop.

    Once the HTTP server runs it handles SIGTERM and SIGINT itself. One that arrives
    before (while the app is built, say) is held here: it tells the server to stop as
    soon as it exists, which then shuts down right after starting instead of serving.
    """

    def __init__(self) -> None:
        self.received: list[int] = []
        self._server: Stoppable | None = None

    def receive(self, number: int) -> None:
        self.received.append(number)
        if self._server is not None:
            self._server.should_exit = True

    def stops(self, server: Stoppable) -> None:
        """`server` is the one to stop: at once, if a signal came already."""
        self._server = server
        if self.received:
            server.should_exit = True


class Stoppable(Protocol):
    should_exit: bool


@contextlib.contextmanager
def _signals_held_while(holding: bool) -> Iterator[HeldSignals]:
    """Hold SIGTERM and SIGINT until the block is done, then end by the first one.

    A server stopped by a signal shuts down, restores the handlers it found and raises
    the signal again, which by default ends the process at once: the integrator child
    would then be left to notice its lifeline. Held here, `serve` stops the child first
    and then ends by the signal all the same.
    """
    held = HeldSignals()
    if not holding:
        yield held
        return
    with stop_signals_handled(held.receive):
        yield held
    if held.received:
        signal.raise_signal(held.received[0])


_INTEGRATION = {
    "process": "a process of its own, started and watched by this one",
    "thread": "a thread of each serving process",
    "off": "not run by serve (COORDINATION_INTEGRATE=off)",
}


def _environment(settings: Settings) -> dict[str, str]:
    """The environment of a child process: this one's, with this run's database and
    integration (options given on the command line win over the environment's)."""
    return {
        **os.environ,
        "COORDINATION_DATABASE_URL": settings.effective_database_url,
        "COORDINATION_INTEGRATE": settings.integrate,
    }


def prepare_keys(settings: Settings) -> None:
    """Create the keys a starting node makes for itself, saying which, and check them all;
    exit code 2 with the reason when one cannot be used.

    The token-signing key is made wherever it is missing; the log's signing key outside
    production only (`load_or_create_signer`).
    """
    from coordination.audit.keys import SigningKeyError, key_path, load_or_create_signer
    from coordination.auth.token_key import TokenKeyError, create_token_key, token_key_path
    from coordination.auth.tokens import TokenKeys
    from coordination.private_files import exposure

    log_key_missing = settings.signing_key is None and not key_path(settings).exists()
    try:
        if create_token_key(settings.data_dir):
            console.print(f"created the token-signing key {token_key_path(settings.data_dir)}")
        TokenKeys.load(settings.data_dir, settings.origin)
        load_or_create_signer(settings)
    except (TokenKeyError, SigningKeyError) as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    if log_key_missing:
        console.print(f"created the log's signing key {key_path(settings)}")
    problem = exposure(settings.data_dir)
    if problem is not None:
        console.print(f"[yellow]warning:[/] {problem}")
