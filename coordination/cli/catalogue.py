"""`coordination catalogue`: the catalogue of every event type, the committed contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def register_catalogue_command(app: typer.Typer) -> None:
    """Add `catalogue` to the command line."""

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
