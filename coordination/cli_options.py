"""Options that several of the command line's modules share."""

from __future__ import annotations

from typing import Annotated

import typer

#: `--database-url`: the event store for one run, over `COORDINATION_DATABASE_URL`.
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides COORDINATION_DATABASE_URL for this run."),
]
