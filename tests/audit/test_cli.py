"""The audit commands as the lead registers them on the node's typer app."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.keys import keys_dir
from coordination.audit.note import Signer, Verifier
from coordination.bootstrap import System
from coordination.cli.audit import register_audit_commands
from coordination.private_files import write_private
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import ORIGIN, LogNode, execute, serve


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.delenv("COORDINATION_SIGNING_KEY", raising=False)
    monkeypatch.delenv("COORDINATION_SIGNING_KEY_FILE", raising=False)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """coordination (test)"""

    def settings_for(database_url: str | None) -> Settings:
        return settings.model_copy(update={"database_url": database_url or settings.database_url})

    register_audit_commands(app, settings_for)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    """The exit code and the output, with rich's line wrapping undone."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_keys_integrate_export_and_verify_from_the_command_line(
    cli: typer.Typer, system: System, settings: Settings, tmp_path: Path
) -> None:
    code, output = run(cli, "keys", "init")
    assert code == 0, output
    vkey = output.split()[-1]
    assert Verifier.from_vkey(vkey).name == ORIGIN
    assert (keys_dir(settings) / "log-signing.key").is_file()
    code, output = run(cli, "keys", "init")
    assert code == 2  # never overwritten by accident
    assert "`keys init --force` replaces it" in " ".join(output.split())  # was "pass force"
    assert run(cli, "keys", "show") == (0, vkey)

    summary = load_demo(system.app, origin=ORIGIN)
    code, output = run(cli, "integrate")
    assert code == 0, output
    assert f"integrated {summary.events} events" in output

    bundle = tmp_path / "bundle"
    code, output = run(cli, "export", str(bundle))
    assert code == 0, output
    assert f"exported {summary.events} entries" in output
    key_file = tmp_path / "node.vkey"
    key_file.write_text(vkey + "\n")
    code, output = run(cli, "verify", str(bundle), "--key", str(key_file))
    assert code == 0, output
    assert "OK" in output
    assert f"{summary.events} (0 hidden)" in output

    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    lines[7] = lines[7].replace(b'"specversion\\":\\"1.0\\"', b'"specversion\\":\\"1.1\\"')
    (bundle / "entries.jsonl").write_bytes(b"".join(lines))
    code, output = run(cli, "verify", str(bundle), "--key", vkey)
    assert code == 1
    assert "FAILED entry 7:" in output


def test_verify_a_node_over_http(cli: typer.Typer, system: System) -> None:
    node = LogNode(system)
    node.grow(30)
    try:
        with serve(node.app) as url:
            code, output = run(cli, "verify", url, "--key", node.log.verifier.vkey)
            assert code == 0, output
            code, output = run(cli, "verify", url)
            assert code == 0, output
            assert "verified with the source's own key" in output
    finally:
        node.close()


def test_verify_refuses_a_negative_sample(cli: typer.Typer, tmp_path: Path) -> None:
    # It crashed with random.sample's ValueError, a traceback.
    code, output = run(cli, "verify", str(tmp_path), "--sample", "-3")
    assert code == 2
    assert "Invalid value for '--sample'" in output


def test_verify_refuses_what_is_not_a_log(cli: typer.Typer, tmp_path: Path) -> None:
    code, output = run(cli, "verify", str(tmp_path / "nothing"))
    assert code == 2
    assert "is not a bundle" in output
    code, output = run(cli, "verify", str(tmp_path), "--key", "not-a-key")
    assert code == 2


def test_commands_without_a_key_say_how_to_make_one(cli: typer.Typer) -> None:
    for command in (["keys", "show"], ["integrate"], ["export", "somewhere"]):
        code, output = run(cli, *command)
        assert code == 2
        assert "keys init" in output


def test_envelope_schema_writes_the_committed_contract(cli: typer.Typer, tmp_path: Path) -> None:
    committed = Path(__file__).resolve().parents[2] / "docs" / "envelope.schema.json"
    assert run(cli, "envelope-schema", "--write", str(tmp_path / "s.json"))[0] == 0
    assert (tmp_path / "s.json").read_text() == committed.read_text()


@pytest.mark.parametrize("command", [["integrate"], ["export", "BUNDLE"]])
def test_a_command_pointed_at_no_store_says_so_and_creates_nothing(
    cli: typer.Typer, tmp_path: Path, command: list[str]
) -> None:
    # They used to create an event store there and report on it ("integrated 0 events";
    # an export of an empty log), for a mistyped URL.
    assert run(cli, "keys", "init")[0] == 0
    database = tmp_path / "nowhere" / "node.db"
    args = [str(tmp_path / "bundle") if a == "BUNDLE" else a for a in command]
    code, output = run(cli, *args, "--database-url", f"sqlite:///{database}")
    assert code == 2, output
    assert "there is no event store at sqlite:" in output
    assert "has `coordination migrate` been run?" in output
    assert not database.parent.exists()
    assert not (tmp_path / "bundle").exists()


def test_a_replaced_key_says_what_a_rotation_asks_for(cli: typer.Typer) -> None:
    assert run(cli, "keys", "init")[0] == 0
    code, output = run(cli, "keys", "init", "--force")
    assert code == 0, output
    said = " ".join(output.split())
    assert "keeps signing with the old key until it is restarted" in said
    assert "give partners and auditors both" in said


def test_a_log_key_still_beside_the_database_signs_and_says_how_to_move_it(
    cli: typer.Typer, system: System, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # A node made before the keys directory held the log's key.
    legacy = settings.data_dir / "signing.key"
    signer = Signer.generate(ORIGIN)
    write_private(legacy, f"{signer.skey()}\n".encode())
    summary = load_demo(system.app, origin=ORIGIN)
    with caplog.at_level(logging.WARNING, logger="coordination.audit.keys"):
        code, output = run(cli, "integrate")
    assert code == 0, output
    assert f"integrated {summary.events} events" in output
    moved = keys_dir(settings) / "log-signing.key"
    assert f"`mv {legacy} {moved}`" in caplog.text
    [(note,)] = execute(system, "SELECT note FROM log_checkpoints")
    assert open_checkpoint(note, signer.verifier, origin=ORIGIN).size == summary.events
    assert (keys_dir(settings) / "last-checkpoint").read_text() == note
    assert run(cli, "keys", "show") == (0, signer.verifier.vkey)

    legacy.rename(moved)  # as the warning says
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="coordination.audit.keys"):
        assert run(cli, "keys", "show") == (0, signer.verifier.vkey)
    assert "signing.key" not in caplog.text
