"""`coordination privacy erase` and `coordination privacy export`: forgetting a person, and
answering their access request, from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from coordination.bootstrap import STORE_ERRORS, System, open_existing
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.domain.context import Context
from coordination.domain.errors import DomainError
from coordination.privacy.access import subject_record
from coordination.private_files import write_private
from coordination.settings import Settings

console = Console(stderr=True)
#: The actor the command line records: the node's operator, acting as the secretariat.
OPERATOR = "operator"

SubjectArgument = Annotated[UUID, typer.Argument(help="The person's pseudonymous id.")]


def _open(settings: Settings) -> System:
    try:
        return open_existing(settings)
    except STORE_ERRORS as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None


def erase(settings: Settings, subject_id: UUID, ground: str) -> None:
    """Forget a person: destroy their key and record `SubjectErased`; exit 1 if refused."""
    system = _open(settings)
    try:
        ctx = Context(actor=OPERATOR, origin=settings.origin)
        result = system.app.erase_subject(ctx, subject_id, ground=ground)
    except DomainError as error:
        console.print(f"[red]refused:[/] {error.message}")
        raise typer.Exit(1) from None
    finally:
        system.close()
    console.print(
        f"erased person {subject_id}: their key is destroyed (stream version {result.version})"
    )


def export(settings: Settings, subject_id: UUID, out: Path | None) -> None:
    """Write everything the node holds about a person as JSON (to `out`, 0600, or stdout)."""
    system = _open(settings)
    try:
        record = subject_record(system.app, system.app.subject_keys, subject_id)
    finally:
        system.close()
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    write_private(out, text.encode("utf-8"))
    console.print(f"wrote {len(record['events'])} events about person {subject_id} to {out}")


def register_privacy_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add the `privacy` group to the command line, with the line's way of reading
    settings."""
    group = typer.Typer(help="Personal data: forget a person, answer an access request.")

    @group.command("erase")
    def erase_command(
        subject_id: SubjectArgument,
        ground: Annotated[
            str, typer.Option(help="request, retention_ended or objection.")
        ] = "request",
        database_url: DatabaseOption = None,
    ) -> None:
        """Destroy a person's key: every datum sealed with it becomes unreadable everywhere."""
        erase(settings_for(database_url), subject_id, ground)

    @group.command("export")
    def export_command(
        subject_id: SubjectArgument,
        out: Annotated[
            Path | None, typer.Option(help="Write to this file (0600) instead of stdout.")
        ] = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Everything the node holds about a person, their personal data opened, as JSON."""
        export(settings_for(database_url), subject_id, out)

    app.add_typer(group, name="privacy")
