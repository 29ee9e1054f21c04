"""`coordination integrity status | resolve`: the node's integrity alarm (decision 35).
(No postponed annotations: typer must see the option types built in
`register_integrity_commands`.)"""

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from coordination.audit.integrity import Finding, FullPass, Integrity, read_integrity
from coordination.audit.keys import keys_dir
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.settings import Settings

if TYPE_CHECKING:
    from coordination.audit.self_audit import SelfAudit
    from coordination.audit.storage import LogStorage

#: Findings a command prints; `integrity status --json` shows every one kept.
SHOWN = 20


def _moment(state: Integrity) -> str:
    return state.to_json()["since"] or "-"


def _findings(console: Console, findings: tuple[Finding, ...] | list[Finding]) -> None:
    for number, finding in enumerate(findings[:SHOWN], start=1):
        console.print(f"  {number}. {finding.describe()}", markup=False, highlight=False)
    if len(findings) > SHOWN:
        console.print(f"  … and {len(findings) - SHOWN} more")


def _pass(done: FullPass) -> str:
    seconds = (done.finished_at - done.started_at).total_seconds()
    text = done.to_json()
    return (
        f"{text['finished_at']}, over {done.entries} entries in {seconds:.1f} s,"
        f" {done.findings} findings"
    )


def integrity_status(
    settings: Settings, *, as_json: bool = False, console: Console | None = None
) -> int:
    """Print the node's integrity state; exit code 0 while no alarm is raised, 1 while one
    is (so that a script can test it)."""
    state = read_integrity(keys_dir(settings))
    if as_json:
        typer.echo(json.dumps(state.to_json(), indent=2))
        return 0 if state.ok else 1
    console = console or Console()
    if state.ok:
        console.print("integrity: ok, no alarm raised")
    else:
        console.print(f"[red]integrity: alarm[/] raised {_moment(state)}; the node signs nothing")
        _findings(console, state.findings)
    last = state.last_full_pass
    console.print(f"last full pass: {_pass(last) if last is not None else 'none yet'}")
    return 0 if state.ok else 1


def _checked(audit: "SelfAudit", console: Console) -> tuple[FullPass, list[Finding]]:
    """A full pass at full speed, with a progress bar."""
    from coordination.audit.auditor import full_pass

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("checking the log", total=None)
        return full_pass(
            audit, progress=lambda done, total: progress.update(task, completed=done, total=total)
        )


def _kept_extended(settings: Settings, storage: "LogStorage") -> list[Finding]:
    """The integrator's check before it signs: the stored tree extends the checkpoint
    kept in the keys directory (a wiped log passes every other check)."""
    from coordination.audit.last_checkpoint import node_last_checkpoint
    from coordination.audit.signing import LogIntegrityError
    from coordination.audit.storage import StorageCorruptError

    try:
        node_last_checkpoint(settings).check_extended(storage)
    except LogIntegrityError as error:
        return [Finding(error.check, None, str(error))]
    except StorageCorruptError as error:
        return [Finding("tree", None, str(error))]
    return []


def integrity_resolve(settings: Settings, *, console: Console | None = None) -> int:
    """Run a full pass of the self-audit, and the integrator's check of the kept
    checkpoint; clear the alarm if they find nothing, else keep it (with what they
    found) and refuse. With no alarm raised it is a check of the log (after a restore,
    say), and says so."""
    from coordination.audit.keys import SigningKeyError, load_signer
    from coordination.audit.last_checkpoint import LastCheckpointError
    from coordination.audit.storage import open_storage
    from coordination.bootstrap import STORE_ERRORS, open_existing
    from coordination.bootstrap.node import self_audit

    console = console or Console(stderr=True)
    try:
        signer = load_signer(settings)
        system = open_existing(settings)
    except (SigningKeyError, *STORE_ERRORS) as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    storage = open_storage(system.target, system.app)
    was_raised = system.integrity.raised()
    try:
        summary, findings = _checked(self_audit(system, storage, signer), console)
        findings += _kept_extended(settings, storage)
        if findings:
            system.integrity.raise_alarm(*findings)
            system.integrity.record_full_pass(summary)
            console.print(
                f"[red]not resolved:[/] a full pass over {summary.entries} entries still finds"
                f" {len(findings)} mismatches:"
            )
            _findings(console, findings)
            return 1
        state = system.integrity.resolve(summary)
    except (SigningKeyError, LastCheckpointError) as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    finally:
        storage.close()
        system.close()
    if not state.ok:
        console.print(
            "[red]not resolved:[/] the node raised the alarm again while the pass ran;"
            " see `coordination integrity status`, and run resolve again once it is put right"
        )
        _findings(console, state.findings)
        return 1
    if not was_raised:
        console.print(
            f"no alarm was raised; a full pass over {summary.entries} entries found nothing"
        )
        return 0
    console.print(
        f"resolved: a full pass over {summary.entries} entries found nothing; the node"
        " integrates and signs again"
    )
    return 0


def register_integrity_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add the `integrity` group (`status`, `resolve`) to the node's typer app."""
    group = typer.Typer(
        help="The node's integrity alarm: what its self-audit found.", no_args_is_help=True
    )

    @group.command("status")
    def status_command(
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the state as JSON, every finding kept.")
        ] = False,
    ) -> None:
        """Show the integrity state: ok, or the alarm with its findings; the last full pass.
        Exit code 1 while the alarm is raised."""
        raise typer.Exit(integrity_status(settings_for(None), as_json=as_json))

    @group.command("resolve")
    def resolve_command(database_url: DatabaseOption = None) -> None:
        """Run a full pass over the log, check that it extends the last checkpoint the node
        signed, and clear the alarm if nothing is found; while a mismatch is still found,
        refuse (exit code 1) and name it."""
        raise typer.Exit(integrity_resolve(settings_for(database_url)))

    app.add_typer(group, name="integrity")
