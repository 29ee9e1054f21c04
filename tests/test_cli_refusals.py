"""Commands given what they cannot use end with exit code 2 and a message that names the
problem, never a traceback.

Every command that opens the event store, pointed at one it cannot use: a malformed
URL, a PostgreSQL server that takes no connection, a database that does not exist, an
SQLite file that cannot be created (the library's pool used to wait ten seconds and then
raise "couldn't get a connection"). Every command, given a `COORDINATION_*` variable it
cannot read (pydantic's traceback). And `serve` told a port that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coordination.cli import app
from coordination.persistence.eventstore import parse_database_url
from tests.processes import free_port

COMMANDS = [
    ["migrate"],
    ["demo"],
    ["views"],
    ["rebuild"],
    ["check-replay"],
    ["replay", "--as-of", "1"],
    ["integrate"],
    ["export", "BUNDLE"],
    ["serve"],
]


def run(tmp_path: Path, url: str, command: list[str]) -> tuple[int, str]:
    env = {
        "COORDINATION_DATABASE_URL": url,
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_SIGNING_KEY": None,
        "COORDINATION_SIGNING_KEY_FILE": None,
        "COLUMNS": "500",
    }
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "init"], env=env).exit_code == 0  # integrate, export
    args = [str(tmp_path / "bundle") if a == "BUNDLE" else a for a in command]
    result = runner.invoke(app, args, env=env)
    return result.exit_code, " ".join(result.output.split())


def refused(code: int, output: str, *words: str) -> None:
    assert code == 2, output
    for said in words:
        assert said in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_server_that_takes_no_connection(tmp_path: Path, command: list[str]) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/node"
    code, output = run(tmp_path, url, command)
    refused(code, output, "cannot open the event store at postgresql://127.0.0.1:", "refused")
    assert not (tmp_path / "bundle").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_malformed_url(tmp_path: Path, command: list[str]) -> None:
    code, output = run(tmp_path, "mysql://host/node", command)
    refused(code, output, "unsupported database URL scheme 'mysql'")


def test_a_database_the_server_does_not_have(tmp_path: Path, postgres_schema_url: str) -> None:
    target = parse_database_url(postgres_schema_url)
    url = f"postgresql://postgres@{target.host}:{target.port}/no_such_database_here"
    code, output = run(tmp_path, url, ["migrate"])
    refused(code, output, 'database "no_such_database_here" does not exist')


def test_an_sqlite_file_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "a-file").touch()
    code, output = run(tmp_path, f"sqlite:///{tmp_path}/a-file/node.db", ["migrate"])
    refused(code, output, "cannot open the event store at sqlite:", "a-file")


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_serve_on_a_port_that_does_not_exist(tmp_path: Path, port: str) -> None:
    # 99999 used to be taken: the server said it listened there, and listened on another.
    url = f"sqlite:///{tmp_path / 'node.db'}"
    code, output = run(tmp_path, url, ["serve", "--port", port])
    refused(code, output, "Invalid value for '--port'")


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["views"],
        ["serve"],
        ["export", "BUNDLE"],
        ["tokens", "issue", "--role", "admin", "--person", "00000000-0000-0000-0000-000000000001"],
    ],
    ids=lambda c: c[0],
)
def test_a_setting_the_environment_gives_wrong(tmp_path: Path, command: list[str]) -> None:
    env = {
        "COORDINATION_DATABASE_URL": f"sqlite:///{tmp_path / 'node.db'}",
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_PORT": "eighty",
        "COORDINATION_ENV": "prod",
        "COLUMNS": "500",
    }
    args = [str(tmp_path / "bundle") if a == "BUNDLE" else a for a in command]
    result = CliRunner().invoke(app, args, env=env)
    output = " ".join(result.output.split())
    refused(result.exit_code, output, "COORDINATION_PORT: Input should be a valid integer")
    assert "COORDINATION_ENV: Input should be 'development', 'test' or 'production'" in output
    assert "eighty" not in output  # values are not repeated: some settings are secrets
