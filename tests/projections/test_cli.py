"""`coordination rebuild [VIEW]`, `coordination check-replay` and `coordination views`,
through a typer app."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from coordination.bootstrap import System
from coordination.cli import views as projections_cli
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.schema import generations
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.projections.conftest import ORIGIN


def _app(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.command("rebuild")
    def rebuild(view: str | None = typer.Argument(None)) -> None:
        projections_cli.rebuild(settings, view)

    @app.command("check-replay")
    def check_replay() -> None:
        projections_cli.check_replay(settings)

    @app.command("views")
    def views(as_json: bool = typer.Option(False, "--json")) -> None:
        projections_cli.views(settings, as_json=as_json)

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


def test_views_shows_where_each_view_stands_and_changes_nothing(
    settings: Settings, system: System
) -> None:
    cli, invoke = _app(settings), CliRunner().invoke
    empty = invoke(cli, ["views"])
    assert empty.exit_code == 0, empty.output
    assert "no views yet" in empty.output
    assert json.loads(invoke(cli, ["views", "--json"]).output) == {"head": 0, "generations": []}

    load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    assert invoke(cli, ["rebuild"]).exit_code == 0
    shown = json.loads(invoke(cli, ["views", "--json"]).output)
    head = system.app.recorder.max_notification_id()
    assert shown["head"] == head
    assert {g["view"] for g in shown["generations"]} == {view.name for view in ALL_VIEWS}
    assert all(
        (g["status"], g["position"], g["behind"], g["parked"], g["current"])
        == ("live", head, 0, 0, True)
        for g in shown["generations"]
    )
    wide = {"COLUMNS": "120"}  # the table's cells on one line each
    assert "this release" in invoke(cli, ["views"], env=wide).output

    asyncio.run(_forget_definition(system, "actions"))
    table = invoke(cli, ["views"], env=wide).output
    assert "actions: built by another release; rebuilt at the next start" in table
    # Looking changed nothing: the view is still the one built before.
    after = json.loads(invoke(cli, ["views", "--json"]).output)
    assert [g for g in after["generations"] if g["view"] != "actions"] == [
        g for g in shown["generations"] if g["view"] != "actions"
    ]
    assert [g["generation"] for g in after["generations"] if g["view"] == "actions"] == [
        g["generation"] for g in shown["generations"] if g["view"] == "actions"
    ]


async def _forget_definition(system: System, view: str) -> None:
    db = await ReadDatabase.open(system.target)
    try:
        await db.execute("DELETE FROM projection_definitions WHERE view = $1", view)
    finally:
        await db.close()


def _flat(output: str) -> str:
    """The output's words, without the error box's borders and line breaks."""
    return " ".join(output.replace("│", " ").split())


@pytest.mark.parametrize(
    "command", [["views"], ["check-replay"], ["rebuild"], ["rebuild", "forums"]]
)
def test_a_command_on_a_missing_store_says_what_to_do_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    # check-replay and rebuild used to create a store there, and then report on the empty
    # one: "replay gives the live views exactly", for a mistyped URL.
    database = tmp_path / "nowhere" / "fresh.db"
    settings = Settings(database_url=f"sqlite:///{database}", data_dir=tmp_path, env="test")
    shown = CliRunner().invoke(_app(settings), command, env={"COLUMNS": "200"})
    assert shown.exit_code == 2
    assert "there is no event store at" in _flat(shown.output)
    assert "has `coordination migrate` been run?" in _flat(shown.output)
    assert not database.parent.exists()


def test_rebuild_of_an_empty_view_name_is_refused_not_a_rebuild_of_every_view(
    settings: Settings, system: System
) -> None:
    # `coordination rebuild "$VIEW"` with VIEW unset rebuilt every view.
    shown = CliRunner().invoke(_app(settings), ["rebuild", ""], env={"COLUMNS": "200"})
    assert shown.exit_code == 2
    assert "no view named ''" in _flat(shown.output)
    assert "is live at position" not in shown.output


def test_a_command_on_an_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    database = tmp_path / "empty.db"
    database.touch()  # a file, but no event store in it
    settings = Settings(database_url=f"sqlite:///{database}", data_dir=tmp_path, env="test")
    shown = CliRunner().invoke(_app(settings), ["check-replay"], env={"COLUMNS": "200"})
    assert shown.exit_code == 2
    assert "(OperationalError): is that the node's database" in _flat(shown.output)
