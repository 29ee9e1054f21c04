"""The signed log's commands: ``export``, ``verify`` and ``envelope-schema`` here, with
``keys`` (`cli.keys`) and ``integrate`` (`cli.integrate`).

Each command is a plain function taking settings or paths (and returning an exit code or
a result), so it can be called from tests; ``register_audit_commands`` adds them all to
the node's typer app. (No postponed annotations: typer must see the option types built in
``register_audit_commands``.)
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from coordination.audit._encoding import b64encode
from coordination.audit.bundle_source import BundleSource
from coordination.audit.keys import SigningKeyError, load_signer
from coordination.audit.note import NoteError, Verifier
from coordination.audit.quorum import quorum_problem, witness_keys
from coordination.audit.verify import VerifyReport, verify_log
from coordination.audit.verify_sources import LogSource, NodeSource, SourceError
from coordination.cli.integrate import register_integrate_command
from coordination.cli.keys import register_keys_commands
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.settings import Settings


def _progress(console: Console) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def export(settings: Settings, out: Path, *, console: Console | None = None) -> int:
    """Export the node's log to the bundle directory ``out``."""
    from coordination.audit.export import ExportError, export_bundle
    from coordination.audit.log import open_audit_log
    from coordination.bootstrap import STORE_ERRORS, open_existing

    console = console or Console(stderr=True)
    try:
        verifier = load_signer(settings).verifier
    except SigningKeyError as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    try:
        system = open_existing(settings)
    except STORE_ERRORS as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    log = open_audit_log(system.target, system.app, origin=settings.origin, verifier=verifier)
    try:
        with _progress(console) as progress:
            task = progress.add_task("exporting", total=None)
            manifest = export_bundle(
                log,
                out,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except ExportError as error:
        console.print(f"[red]error:[/] {error}")
        return 1
    finally:
        log.close()
        system.close()
    counts = manifest["counts"]
    console.print(
        f"exported {counts['entries']} entries and {counts['checkpoints']} checkpoints to {out}"
        f" (root {manifest['root']})"
    )
    return 0


def envelope_schema(write: Path | None = None, *, console: Console | None = None) -> int:
    """Print the log entries' JSON Schema, or write it (``docs/envelope.schema.json``)."""
    from coordination.audit.envelope_schema import envelope_schema_text

    text = envelope_schema_text()
    if write is None:
        typer.echo(text, nl=False)
    else:
        write.write_text(text, encoding="utf-8")
        (console or Console(stderr=True)).print(f"wrote {write}")
    return 0


def _source(where: str, token: str | None = None) -> LogSource:
    if where.startswith(("http://", "https://")):
        return NodeSource(where, token=token)
    path = Path(where)
    if path.is_file():
        raise SourceError(f"{path} is a file: unpack a bundle archive first (tar xzf)")
    return BundleSource(path)


def verifier_key(key: str | None) -> Verifier | None:
    """The verifier key given as its line, or as a file holding it; None if not given.

    Raises:
        NoteError: It is not a verifier key line.
        OSError: The file cannot be read.
    """
    if key is None:
        return None
    path = Path(key)
    line = path.read_text(encoding="utf-8").strip() if path.is_file() else key
    return Verifier.from_vkey(line)


def print_report(report: VerifyReport, console: Console) -> None:
    """Print a verification report: a summary table, then every failure."""
    table = Table(show_header=False, box=None)
    table.add_row("source", report.source)
    table.add_row("origin", report.origin or "-")
    table.add_row("tree size", str(report.size))
    table.add_row("root", b64encode(report.root) if report.root else "-")
    table.add_row("entries checked", f"{report.entries_checked} ({report.hidden} hidden)")
    table.add_row("proofs checked", str(report.proofs_checked))
    table.add_row("carried checkpoints", str(report.carried))
    if report.earlier_size is not None:
        table.add_row("earlier checkpoint", f"size {report.earlier_size}")
    table.add_row("time", f"{report.seconds:.2f} s")
    console.print(table)
    if report.key_from_source:
        console.print(
            "[yellow]warning:[/] verified with the source's own key; pass --key to"
            " verify with a key you obtained independently"
        )
    for failure in report.failures:
        console.print(f"[red]FAILED[/] {failure}")
    if report.ok:
        console.print("[green]OK[/]: the log verifies")


def verify(
    where: str,
    *,
    key: str | None = None,
    earlier: Path | None = None,
    sample: int = 16,
    token: str | None = None,
    witnesses: list[str] | None = None,
    quorum: int = 0,
    console: Console | None = None,
) -> int:
    """Verify a node (URL) or an export bundle (directory); 0 if it verifies, else 1.

    A node's feed asks auditors for a token (`token`, the auditor role's or an admin's).
    With ``quorum`` K, the latest checkpoint must carry K valid cosignatures of the
    ``witnesses`` (vkey lines or files) too (FEED-PROTOCOL §7).
    """
    console = console or Console(stderr=True)
    try:
        source, verifier = _source(where, token), verifier_key(key)
        earlier_note = earlier.read_text(encoding="utf-8") if earlier else None
        pinned = witness_keys(witnesses or [])
        if quorum > len(pinned):
            raise SourceError(f"--quorum {quorum} asks more than the {len(pinned)} --witness keys")
    except (SourceError, NoteError, OSError) as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    with _progress(console) as progress:
        task = progress.add_task("verifying", total=None)
        report = verify_log(
            source,
            key=verifier,
            earlier=earlier_note,
            sample=sample,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    print_report(report, console)
    if quorum:
        try:
            problem = quorum_problem(source.checkpoint_note(), pinned, quorum)
        except (SourceError, NoteError) as error:
            problem = str(error)
        if problem is not None:
            console.print(f"[red]FAILED[/] witness quorum: {problem}")
            return 1
        console.print(f"[green]OK[/]: the checkpoint carries {quorum} witness cosignature(s)")
    return 0 if report.ok else 1


def register_audit_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add ``keys init|show``, ``integrate``, ``export``, ``verify`` and ``envelope-schema``.

    Args:
        app: The node's typer app.
        settings_for: Builds the settings, given an optional ``--database-url`` override.
    """
    register_keys_commands(app, settings_for)
    register_integrate_command(app, settings_for)

    @app.command("export")
    def export_command(
        out: Annotated[Path, typer.Argument(help="The bundle directory to create.")],
        database_url: DatabaseOption = None,
    ) -> None:
        """Export the log as a bundle that `verify` checks offline."""
        raise typer.Exit(export(settings_for(database_url), out))

    @app.command("envelope-schema")
    def envelope_schema_command(
        write: Annotated[
            Path | None, typer.Option(help="Write to this file (docs/envelope.schema.json).")
        ] = None,
    ) -> None:
        """Print the JSON Schema of log entries (the committed contract)."""
        raise typer.Exit(envelope_schema(write))

    @app.command("verify")
    def verify_command(
        where: Annotated[str, typer.Argument(help="A node's base URL, or a bundle directory.")],
        key: Annotated[
            str | None, typer.Option(help="The verifier key line, or a file holding it.")
        ] = None,
        earlier: Annotated[
            Path | None, typer.Option(help="An earlier signed checkpoint the log must extend.")
        ] = None,
        sample: Annotated[
            int, typer.Option(min=0, max=100_000, help="Random inclusion proofs to check.")
        ] = 16,
        witness: Annotated[
            list[str] | None,
            typer.Option(help="A witness vkey (type 0x04), or a file holding it; repeatable."),
        ] = None,
        quorum: Annotated[
            int, typer.Option(min=0, help="Valid cosignatures of those witnesses required.")
        ] = 0,
        token: Annotated[
            str | None,
            typer.Option(
                envvar="COORDINATION_TOKEN",
                show_envvar=True,
                help="A token of the auditor role (or admin) for a node's feed; better from"
                " the environment than the command line, which others on the machine see.",
            ),
        ] = None,
    ) -> None:
        """Verify a node's log or a bundle without trusting it."""
        raise typer.Exit(
            verify(
                where,
                key=key,
                earlier=earlier,
                sample=sample,
                token=token,
                witnesses=witness,
                quorum=quorum,
            )
        )
