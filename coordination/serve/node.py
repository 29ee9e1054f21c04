"""`serve`'s processes: the HTTP server in one process or several, and the log's
integrator beside it as a child process `serve` watches (decision 18).

Stop signals are held from before the child starts until the server handles them itself,
so that whenever `serve` is told to stop, it stops its child first.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from typing import Protocol

from coordination.observability.integrator_status import STATUS_FILE
from coordination.runtime import stop_signals_handled
from coordination.serve.supervisor import IntegratorProcess
from coordination.settings import Settings

#: The exit code of a server whose app failed to start, as `uvicorn.run` exits with.
STARTUP_FAILURE = 3


def run_node(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the node until stopped: the integrator's process first, when
    `settings.integrate` is ``process``, then the HTTP server (`workers` processes of it).

    Raises:
        SystemExit: The app failed to start (`STARTUP_FAILURE`).
    """
    supervisor = None
    if settings.integrate == "process":
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


def _environment(settings: Settings) -> dict[str, str]:
    """The environment of a child process: this one's, with this run's database and
    integration (options given on the command line win over the environment's)."""
    return {
        **os.environ,
        "COORDINATION_DATABASE_URL": settings.effective_database_url,
        "COORDINATION_INTEGRATE": settings.integrate,
    }
