"""Options that several of the command line's modules share."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from coordination.settings import Settings

#: `--database-url`: the event store for one run, over `COORDINATION_DATABASE_URL`.
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides COORDINATION_DATABASE_URL for this run."),
]


def environment_settings() -> Settings:
    """The node's settings from its `COORDINATION_*` variables, or exit code 2 with one
    line per variable that is wrong, saying why (pydantic's copy of the value given is
    left out: some settings are secrets)."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "_".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"error: COORDINATION_{name}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None
