"""One byte of a stored event changed after it was logged: what is served, replayed and
rebuilt is still what the signed log records (issue 19, finding 1).

It was served by the views after a rebuild and by `replay --as-of`, while `verify` said
OK and `check-replay` reported only "differs in 1 rows": both read the event table.
They read the verified log now, and `check-replay` says where the table and the log
disagree.
"""

from __future__ import annotations

import asyncio
import io
import re

import pytest
import typer
from pydantic import SecretStr
from rich.console import Console
from typer.testing import CliRunner

from coordination.audit.integrator import Integrator
from coordination.audit.storage import open_storage
from coordination.bootstrap import System
from coordination.bootstrap.node import start_projections
from coordination.cli.replay import register_replay_command
from coordination.cli.views import register_view_commands
from coordination.persistence.event_log import events_table
from coordination.projections.queries.forums import list_forums
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import ORIGIN, execute, node_signer

GROUP = b"Business development / public procurement"
#: The same name with one byte changed.
TAMPERED = b"Business development / public procuremeNt"
KEY = node_signer()


def integrate(system: System) -> None:
    storage = open_storage(system.target, system.app)
    integrator = Integrator(system.app, storage, KEY, origin=system.settings.origin)
    try:
        integrator.run_once()
    finally:
        integrator.close()
        storage.close()


@pytest.fixture
def keyed(settings: Settings) -> Settings:
    """The node's settings with its signing key (the secret setting)."""
    return settings.model_copy(update={"signing_key": SecretStr(KEY.skey())})


@pytest.fixture
def cli(keyed: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """coordination (test)"""

    register_replay_command(app, lambda _url: keyed)
    register_view_commands(app, lambda _url: keyed)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    """The exit code and the output, on one line, without the tables' lines."""
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "300"})
    return result.exit_code, " ".join(re.sub("[\u2500-\u257f]", " ", result.output).split())


def tamper(system: System) -> int:
    """Change one byte of the stored event that names the procurement group; its
    notification id."""
    table = events_table(system.app)
    key = "notification_id" if system.target.is_postgres else "rowid"
    rows = execute(system, f"SELECT {key}, state FROM {table} ORDER BY {key}")
    found = [(int(nid), bytes(state)) for nid, state in rows if GROUP in bytes(state)]
    nid, state = found[0]
    execute(
        system,
        f"UPDATE {table} SET state = ? WHERE {key} = ?",
        (state.replace(GROUP, TAMPERED), nid),
    )
    return nid


async def forum_names(system: System) -> set[str]:
    projections = await start_projections(system, start=False)
    try:
        page = await list_forums(projections.db, first=100)
        return {forum.name for forum in page.nodes}
    finally:
        await projections.stop()


@pytest.fixture
def node(system: System) -> System:
    """The demo, logged and signed, its views built: then one stored event tampered with."""
    load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    integrate(system)
    assert GROUP.decode() in asyncio.run(_built(system))
    return system


async def _built(system: System) -> set[str]:
    projections = await start_projections(system, start=False)
    try:
        await projections.runner.catch_up()
    finally:
        await projections.stop()
    return await forum_names(system)


def test_replay_serves_what_the_log_signed_not_the_changed_event(
    cli: typer.Typer, node: System
) -> None:
    tamper(node)
    code, output = run(cli, "replay", "--as-of", "2999-12-31")
    assert code == 0, output
    assert GROUP.decode() in output
    assert TAMPERED.decode() not in output


def test_rebuild_builds_what_the_log_signed_not_the_changed_event(
    cli: typer.Typer, node: System
) -> None:
    tamper(node)
    code, output = run(cli, "rebuild")
    assert code == 0, output
    names = asyncio.run(forum_names(node))
    assert GROUP.decode() in names
    assert TAMPERED.decode() not in names
    assert "the views are read from the signed log up to its checkpoint of" in output


def test_check_replay_says_where_the_table_and_the_log_disagree(
    cli: typer.Typer, node: System
) -> None:
    nid = tamper(node)
    code, output = run(cli, "check-replay")
    assert code == 1, output
    storage = open_storage(node.target, node.app)
    try:
        (entry,) = storage.entries_for_notifications([nid])
    finally:
        storage.close()
    index = entry.index
    assert (
        f"the event table: entry {index} (notification id {nid}): the stored event is not"
        " the one the log signed: data.name differ"
    ) in output
    assert "the event table and the signed log disagree at 1 entries" in output
    # The views built from the log are the live ones (built before the change).
    assert "replay differs from the live views" not in output


def test_events_beyond_the_checkpoint_are_read_from_the_table(
    cli: typer.Typer, node: System
) -> None:
    load_demo(node.app, origin=ORIGIN, console=Console(file=io.StringIO()))  # not logged
    code, output = run(cli, "rebuild")
    assert code == 0, output
    head = node.app.recorder.max_notification_id()
    assert f"is live at position {head}" in output
    code, output = run(cli, "check-replay")
    assert code == 0, output
    assert "replay gives the live views exactly, and the event table is the signed log" in output
