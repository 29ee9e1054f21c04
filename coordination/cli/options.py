"""What several of the command line's modules share: `--database-url` and the settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from pydantic import ValidationError

from coordination.settings import Settings

#: `--database-url`: the event store for one run, over `COORDINATION_DATABASE_URL`.
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides COORDINATION_DATABASE_URL for this run."),
]

#: Builds a command's settings, given an optional `--database-url` override.
SettingsFactory = Callable[[str | None], Settings]


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


def settings_for(database_url: str | None = None) -> Settings:
    """The environment's settings, with `--database-url` over its URL when given."""
    settings = environment_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings
