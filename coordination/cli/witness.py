"""`coordination witness gather [--once]`: ask the partners' witnesses to cosign the node's
latest checkpoint (FEED-PROTOCOL §7), as `serve` does in the background. (No postponed
annotations: typer must see the option types.)"""

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from coordination.audit.keys import SigningKeyError, load_signer
from coordination.audit.log import AuditLog
from coordination.bootstrap import STORE_ERRORS, System, open_existing
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.federation.witness_gather import WitnessAnswer, gather_once
from coordination.federation.witness_gathering import WitnessGathering, current_targets
from coordination.persistence.readdb import ReadDatabase
from coordination.settings import Settings

console = Console(stderr=True)


def answer_lines(answers: list[WitnessAnswer], skipped: list[str]) -> list[str]:
    """One line per partner: what its witness answered, or why it was not asked."""
    lines = []
    for answer in answers:
        origin = answer.target.origin
        if answer.cosignature is not None:
            lines.append(f"{origin}: cosigned ({answer.target.key.name})")
        else:
            lines.append(f"{origin}: no cosignature: {answer.problem}")
    lines += [f"{origin}: not asked: no witness key registered" for origin in skipped]
    return lines


async def gather_now(system: System, log: AuditLog) -> tuple[int, list[str]]:
    """Ask every witness once; the checkpoint's size and one line per partner."""
    head = await asyncio.to_thread(log.latest_checkpoint)
    if head is None:
        return -1, []
    targets, skipped = await current_targets(system.app)
    return head.size, answer_lines(await gather_once(log, targets), skipped)


async def _gather_until_stopped(system: System, log: AuditLog) -> None:
    db = await ReadDatabase.open(system.target, availability=system.availability)
    gathering = WitnessGathering(system.app, log, db)
    log.start_watching()
    gathering.start()
    try:
        await asyncio.Event().wait()  # until Ctrl-C cancels the run
    finally:
        await gathering.stop()
        await db.close()


def witness_gather(settings: Settings, *, once: bool, console: Console = console) -> int:
    """Gather cosignatures of the node's checkpoints; 0, or 2 when it cannot start."""
    from coordination.audit.log import open_audit_log

    try:
        verifier = load_signer(settings).verifier
        system = open_existing(settings)
    except (SigningKeyError, *STORE_ERRORS) as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    log = open_audit_log(system.target, system.app, origin=settings.origin, verifier=verifier)
    try:
        if not once:
            console.print("gathering cosignatures of each new checkpoint; Ctrl-C stops")
            asyncio.run(_gather_until_stopped(system, log))
            return 0
        size, lines = asyncio.run(gather_now(system, log))
    except KeyboardInterrupt:
        return 0
    finally:
        log.close()
        system.close()
    if size < 0:
        console.print("[red]error:[/] the log has no signed checkpoint yet")
        return 2
    console.print(f"checkpoint of size {size}:")
    for line in lines or ["no admitted partner to ask"]:
        typer.echo(f"  {line}")
    return 0


def register_witness_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add the `witness` group (`gather`) to the node's typer app."""
    witness = typer.Typer(help="Witnessing (FEED-PROTOCOL §7).", no_args_is_help=True)

    @witness.command("gather")
    def gather(
        once: Annotated[
            bool, typer.Option(help="Ask once, print what each witness answered, and stop.")
        ] = False,
        database_url: DatabaseOption = None,
    ) -> None:
        """Ask the partners' witnesses (admitted, with a witness key registered) to cosign
        the node's latest checkpoint; without --once, each new one until stopped (what
        `serve` does in the background; one process of the node gathers at a time)."""
        raise typer.Exit(witness_gather(settings_for(database_url), once=once))

    app.add_typer(witness, name="witness")
