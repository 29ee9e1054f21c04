"""`coordination rebuild [VIEW]` and `coordination check-replay`, through a typer app."""

from __future__ import annotations

import asyncio
import io

import typer
from rich.console import Console
from typer.testing import CliRunner

from coordination.bootstrap import System
from coordination.demo import load_demo
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import cli as projections_cli
from coordination.projections.schema import generations
from coordination.settings import Settings
from tests.projections.conftest import ORIGIN


def _app(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.command("rebuild")
    def rebuild(view: str | None = typer.Argument(None)) -> None:
        projections_cli.rebuild(settings, view)

    @app.command("check-replay")
    def check_replay() -> None:
        projections_cli.check_replay(settings)

    return app


async def _alter(system: System) -> None:
    db = await ReadDatabase.open(system.target)
    try:
        live = next(g for g in await generations(db, "workshops") if g.status == "live")
        await db.execute(f"UPDATE rv_workshops__g{live.generation} SET attended = attended + 1")
    finally:
        await db.close()


def test_rebuild_and_check_replay_commands(settings: Settings, system: System) -> None:
    load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    cli, invoke = _app(settings), CliRunner().invoke
    built = invoke(cli, ["rebuild"])
    assert built.exit_code == 0, built.output
    assert "workshops: generation 2 is live" in built.output
    again = invoke(cli, ["rebuild", "workshops"])
    assert again.exit_code == 0, again.output
    assert "workshops: generation 3 is live" in again.output
    assert invoke(cli, ["rebuild", "nonsense"]).exit_code != 0
    clean = invoke(cli, ["check-replay"])
    assert clean.exit_code == 0, clean.output
    asyncio.run(_alter(system))
    dirty = invoke(cli, ["check-replay"])
    assert dirty.exit_code == 1
    assert "workshops.workshops" in dirty.output
