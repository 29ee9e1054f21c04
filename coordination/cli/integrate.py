"""`coordination integrate`: once, or following the store as a process of its own."""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from coordination.audit.integrator import Integrator
from coordination.audit.keys import SigningKeyError, load_signer, private_keys_dir
from coordination.audit.last_checkpoint import node_last_checkpoint
from coordination.audit.storage import open_storage
from coordination.bootstrap import store_readiness
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.runtime import stop_signals_handled
from coordination.settings import Settings

if TYPE_CHECKING:
    from coordination.audit.note import Signer
    from coordination.bootstrap import System

#: How often a supervised integrator looks whether the store has been migrated.
MIGRATION_POLL_SECONDS = 2.0


def integrate(
    settings: Settings,
    *,
    follow: bool = False,
    supervised: bool = False,
    console: Console | None = None,
) -> int:
    """Integrate every recorded event and sign a checkpoint, once; or, with ``follow``,
    go on integrating as events arrive until SIGTERM or SIGINT (leading, or standing by
    while another process leads and taking over when it goes).

    ``supervised`` (the child of `serve`, see `coordination.serve.supervisor`) also stops
    when standard input reaches its end, as the supervisor holds the pipe's only writer;
    and it leaves migrating to `coordination migrate`, as `serve` does, waiting until the
    store is.
    """
    from coordination.bootstrap import STORE_ERRORS, bootstrap, open_existing

    console = console or Console(stderr=True)
    try:
        private_keys_dir(settings)
        signer = load_signer(settings)
    except SigningKeyError as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    try:
        # Supervised, it waits for `coordination migrate`; by hand, a store that is not
        # there is a mistake to report, not one to create.
        system = bootstrap(settings, create_tables=False) if supervised else open_existing(settings)
    except STORE_ERRORS as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    try:
        if not follow:
            if system.integrity.raised():
                first = system.integrity.current().findings
                console.print(
                    "[red]error:[/] the integrity alarm is raised"
                    f" ({first[0].describe() if first else 'no finding named'}): nothing is"
                    " integrated or signed until `coordination integrity resolve`"
                )
                return 1
            summary = _integrate_once(system, signer)
        else:
            stop = threading.Event()
            with stop_signals_handled(lambda _number: stop.set()):
                if supervised:
                    _stop_when_stdin_ends(stop)
                    if not _until_migrated(system, stop, console):
                        return 0
                console.print("integrating as events arrive; stop with Ctrl-C or SIGTERM")
                summary = _follow(system, signer, stop)
    finally:
        system.close()
    console.print(summary)
    return 0


def _integrate_once(system: System, signer: Signer) -> str:
    integrator = _integrator(system, signer, audited=False)
    count = integrator.run_once()
    return _closed(integrator, count)


def _follow(system: System, signer: Signer, stop: threading.Event) -> str:
    integrator = _integrator(system, signer, audited=True)
    before = integrator.storage.position().size
    integrator.run_forever(stop)
    return _closed(integrator, integrator.storage.position().size - before)


def _integrator(system: System, signer: Signer, *, audited: bool) -> Integrator:
    """The integrator, stopped by the node's integrity alarm; ``audited``: with the
    node's self-audit beside it (one that follows the store)."""
    from coordination.bootstrap.node import self_auditor

    storage = open_storage(system.target, system.app)
    return Integrator(
        system.app,
        storage,
        signer,
        origin=system.settings.origin,
        integrity=system.integrity,
        auditor=self_auditor(system, storage, signer) if audited else None,
        last_checkpoint=node_last_checkpoint(system.settings),
    )


def _closed(integrator: Integrator, count: int) -> str:
    """Close `integrator`; what it did, in a line."""
    integrator.close()
    checkpoint = integrator.storage.latest_checkpoint()
    integrator.storage.close()
    size = checkpoint.size if checkpoint else 0
    return f"integrated {count} events; the log has {size} entries, signed"


def _until_migrated(system: System, stop: threading.Event, console: Console) -> bool:
    """Wait until the event store is migrated; False when stopped first."""
    told = False
    while store_readiness(system)["status"] != "ready":
        if not told:
            console.print(
                "the event store is not migrated: integrating once `coordination migrate` has run"
            )
            told = True
        if stop.wait(MIGRATION_POLL_SECONDS):
            return False
    return True


def _stop_when_stdin_ends(stop: threading.Event) -> None:
    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                pass  # nobody writes; anything written is ignored
        stop.set()

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def register_integrate_command(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add `integrate` to the node's typer app."""

    @app.command("integrate")
    def integrate_command(
        database_url: DatabaseOption = None,
        follow: Annotated[
            bool,
            typer.Option(
                help="Go on integrating as events arrive, until stopped: the integrator as"
                " a process of its own (serve with COORDINATION_INTEGRATE=off)."
            ),
        ] = False,
        supervised: Annotated[
            bool,
            typer.Option(hidden=True, help="Also stop when standard input ends (serve's child)."),
        ] = False,
    ) -> None:
        """Integrate recorded events into the log and sign a checkpoint, once or following."""
        settings = settings_for(database_url)
        raise typer.Exit(integrate(settings, follow=follow, supervised=supervised))
