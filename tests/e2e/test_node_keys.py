"""The node's keys are made on purpose and used from anywhere: a command that signs
takes the node's key or says where it looked, and `serve` says which keys it made."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.note import Verifier
from tests.e2e.test_cli_and_serve import BIN, coordination, free_port, serving, wait_until_up
from tests.e2e.test_private_files import until


@pytest.fixture
def node_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(tmp_path / "node"),
        "COORDINATION_ORIGIN": "test.example/coordination/log",
    }


def test_a_token_issued_from_elsewhere_is_the_running_nodes_or_none(
    node_env: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert coordination("migrate", env=node_env).returncode == 0
    auditor = ["tokens", "issue", "--role", "auditor", "--person", str(uuid4())]
    without_data_dir = {k: v for k, v in node_env.items() if k != "COORDINATION_DATA_DIR"}
    with serving(node_env) as base:
        refused = coordination(*auditor, env=without_data_dir, cwd=elsewhere)
        assert refused.returncode == 2
        assert refused.stdout == ""  # no token a script would take for one
        message = " ".join(refused.stderr.split())
        assert f"no token-signing key at {elsewhere / 'var/keys/token-signing.pem'}" in message
        assert "COORDINATION_DATA_DIR" in message
        assert "coordination keys init" in message
        assert not (elsewhere / "var").exists()

        issued = coordination(*auditor, env=node_env, cwd=elsewhere)
        assert issued.returncode == 0, issued.stderr
        bearer = {"Authorization": f"Bearer {issued.stdout.strip()}"}
        until(lambda: httpx.get(f"{base}/ready").status_code == 200, "ready")
        # The public checkpoint first: the rest of the feed answers 503 until it is signed.
        until(lambda: httpx.get(f"{base}/federation/v1/checkpoint").status_code == 200, "signed")
        assert httpx.get(f"{base}/federation/v1/entries", headers=bearer).status_code == 200


def test_serve_says_which_keys_it_made_and_warns_of_an_open_data_dir(
    node_env: dict[str, str],
) -> None:
    data = Path(node_env["COORDINATION_DATA_DIR"])
    data.mkdir()
    data.chmod(0o755)  # as an older release left it: kept, and warned of
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port)],
        env={**node_env, "COLUMNS": "500"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", server)
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0]
    assert f"created the token-signing key {data / 'keys/token-signing.pem'}" in output
    assert f"created the log's signing key {data / 'keys/log-signing.key'}" in output
    assert (
        f"warning: the data directory {data} may be read by others (mode 0755): make it"
        f" private with `chmod 700 {data}`"
    ) in output
    assert stat.S_IMODE(data.stat().st_mode) == 0o755
    assert stat.S_IMODE((data / "keys").stat().st_mode) == 0o700


def test_a_node_whose_log_key_is_still_beside_the_database_serves_signs_and_says_how_to_move_it(
    node_env: dict[str, str],
) -> None:
    data = Path(node_env["COORDINATION_DATA_DIR"])
    legacy = data / "signing.key"
    made = coordination(
        "keys", "init", env={**node_env, "COORDINATION_SIGNING_KEY_FILE": str(legacy)}
    )
    assert made.returncode == 0, made.stderr  # where a release before the keys directory made it
    assert not (data / "keys" / "log-signing.key").exists()
    assert coordination("migrate", env=node_env).returncode == 0
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(free_port())],
        env={**node_env, "COLUMNS": "500"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        until((data / "keys" / "last-checkpoint").exists, "a checkpoint signed and kept")
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0]
    assert f"`mv {legacy} {data / 'keys' / 'log-signing.key'}`" in output
    shown = coordination("keys", "show", env=node_env)
    assert shown.stdout.strip() == made.stdout.strip().splitlines()[-1]
    verifier = Verifier.from_vkey(shown.stdout.strip())
    note = (data / "keys" / "last-checkpoint").read_text()
    assert open_checkpoint(note, verifier, origin=node_env["COORDINATION_ORIGIN"]).size >= 0
