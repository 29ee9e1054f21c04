"""`coordination integrity status | resolve`, and `integrate` refusing while the alarm is up."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from coordination.audit.integrity import Finding, raise_alarm, read_integrity
from coordination.audit.keys import keys_dir
from coordination.bootstrap import System
from coordination.cli.audit import register_audit_commands
from coordination.cli.integrity import register_integrity_commands
from coordination.settings import Settings
from tests.audit.support import ORIGIN, fill_events
from tests.audit.tampering import entry_byte


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
    register_integrity_commands(app, settings_for)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    """The exit code and the output, with rich's line wrapping undone."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_status_resolve_and_integrate_around_an_alarm(
    cli: typer.Typer, system: System, settings: Settings
) -> None:
    assert run(cli, "keys", "init")[0] == 0
    fill_events(system.app, 150)
    assert run(cli, "integrate")[0] == 0
    code, output = run(cli, "integrity", "status")
    assert (code, output) == (0, "integrity: ok, no alarm raised last full pass: none yet")
    code, output = run(cli, "integrity", "resolve")
    assert (code, output) == (0, "no alarm was raised; a full pass over 150 entries found nothing")

    tampered = entry_byte(system, 42)
    code, output = run(cli, "integrity", "resolve")
    assert code == 1, output
    assert "not resolved: a full pass over 150 entries still finds" in output
    assert "leaf_hash check, entry 42: its bytes do not hash to its stored leaf hash" in output

    code, output = run(cli, "integrity", "status")
    assert code == 1
    assert "integrity: alarm raised 20" in output
    assert "1. leaf_hash check, entry 42" in output
    assert "over 150 entries" in output
    code, output = run(cli, "integrity", "status", "--json")
    assert code == 1
    state = json.loads(CliRunner().invoke(cli, ["integrity", "status", "--json"]).output)
    assert state["state"] == "alarm"
    assert state["findings"][0]["index"] == 42
    assert state["last_full_pass"]["entries"] == 150

    fill_events(system.app, 10)
    code, output = run(cli, "integrate")
    assert code == 1
    assert "the integrity alarm is raised (leaf_hash check, entry 42:" in output
    assert "nothing is integrated or signed until `coordination integrity resolve`" in output

    tampered.undo()
    code, output = run(cli, "integrity", "resolve")
    assert code == 0, output
    assert "resolved: a full pass over 150 entries found nothing" in output
    assert read_integrity(keys_dir(settings)).ok
    code, output = run(cli, "integrate")
    assert code == 0, output
    assert "integrated 10 events; the log has 160 entries, signed" in output


def test_resolve_says_what_is_missing(cli: typer.Typer, settings: Settings) -> None:
    raise_alarm(keys_dir(settings), Finding("tree", 0, "zeroed"))
    code, output = run(cli, "integrity", "resolve")
    assert code == 2
    assert "no signing key" in output
    assert run(cli, "keys", "init")[0] == 0
    code, output = run(cli, "integrity", "resolve", "--database-url", "sqlite:///nowhere/x.db")
    assert code == 2
    assert "there is no event store" in output
    assert not read_integrity(keys_dir(settings)).ok
    assert ORIGIN in settings.origin


def test_a_rotated_log_key_stays_one_the_self_audit_trusts(
    cli: typer.Typer, system: System, settings: Settings
) -> None:
    assert run(cli, "keys", "init")[0] == 0
    fill_events(system.app, 20)
    assert run(cli, "integrate")[0] == 0
    code, output = run(cli, "keys", "init", "--force")
    assert code == 0, output
    assert "kept the replaced key's verifier key in" in output
    assert (keys_dir(settings) / "earlier-log-keys").is_file()
    # The checkpoint of 20 entries is signed with the replaced key only.
    code, output = run(cli, "integrity", "resolve")
    assert code == 0, output
    (keys_dir(settings) / "earlier-log-keys").unlink()
    code, output = run(cli, "integrity", "resolve")
    assert code == 1
    assert "the checkpoint of size 20 does not verify with the node's key" in output
