"""The token-signing key: made only on purpose, read only when private, and a command that
signs without it says where it looked instead of making one of its own."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from coordination.audit.keys import SigningKeyError, init_key, load_signer
from coordination.auth.token_key import TokenKeyError, token_key_path
from coordination.auth.tokens import TokenKeys, issue_token, verify_token
from coordination.cli import app
from coordination.settings import Settings

ORIGIN = "test.example/coordination/log"
ISSUE = ["tokens", "issue", "--role", "admin", "--person", str(uuid4())]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that is not the node's, with the default (relative) data dir."""
    directory = tmp_path / "home"
    directory.mkdir()
    monkeypatch.chdir(directory)
    for name in ("COORDINATION_DATA_DIR", "COORDINATION_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    return directory


def test_tokens_issue_elsewhere_says_where_it_looked_and_makes_no_key(elsewhere: Path) -> None:
    result = CliRunner().invoke(app, ISSUE, env={"COLUMNS": "500"})
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    looked = elsewhere / "var" / "keys" / "token-signing.pem"
    assert f"there is no token-signing key at {looked}" in output
    assert "set COORDINATION_DATA_DIR to the node's data directory" in output
    assert "or COORDINATION_KEYS_DIR to its keys directory" in output
    assert "(the keys directory is var/keys, relative to the working directory)" in output
    assert "`coordination keys init`" in output
    assert not (elsewhere / "var").exists()  # before, a new key was made here, silently


def test_tokens_revoke_elsewhere_is_refused_rather_than_written_where_no_node_reads(
    elsewhere: Path,
) -> None:
    result = CliRunner().invoke(app, ["tokens", "revoke", str(uuid4())], env={"COLUMNS": "500"})
    assert result.exit_code == 2
    assert "there is no token-signing key at" in " ".join(result.output.split())
    assert not (elsewhere / "var").exists()


def test_tokens_issue_signs_with_the_key_of_the_configured_data_dir(
    elsewhere: Path, tmp_path: Path
) -> None:
    node = tmp_path / "node"
    keys = TokenKeys.load_or_create(node / "keys", ORIGIN)
    env = {"COORDINATION_DATA_DIR": str(node), "COORDINATION_ORIGIN": ORIGIN}
    result = CliRunner().invoke(app, ISSUE, env=env)
    assert result.exit_code == 0, result.output
    assert verify_token(keys, result.stdout.strip()).person_id is not None
    assert not (elsewhere / "var").exists()


def test_a_token_key_others_may_read_is_refused_naming_file_mode_and_fix(
    tmp_path: Path,
) -> None:
    keys = TokenKeys.load_or_create(tmp_path, ORIGIN)
    path = token_key_path(tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(TokenKeyError) as refused:
        TokenKeys.load(tmp_path, ORIGIN)
    message = str(refused.value)
    assert f"token-signing key {path} may be read or written by others" in message
    assert "(mode 0644)" in message
    assert f"`chmod 600 {path}`" in message
    with pytest.raises(TokenKeyError, match="mode 0644"):
        TokenKeys.load_or_create(tmp_path, ORIGIN)  # a node's start refuses it too
    os.chmod(path, 0o620)  # writable by the group: as bad, since it could be swapped
    with pytest.raises(TokenKeyError, match="mode 0620"):
        TokenKeys.load(tmp_path, ORIGIN)
    os.chmod(path, 0o600)
    token = issue_token(keys, role="auditor", person=uuid4())
    assert verify_token(TokenKeys.load(tmp_path, ORIGIN), token).token_id is not None


def test_the_cli_refuses_a_token_key_others_may_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)
    os.chmod(token_key_path(tmp_path / "keys"), 0o640)
    result = CliRunner().invoke(
        app, ISSUE, env={"COORDINATION_DATA_DIR": str(tmp_path), "COLUMNS": "500"}
    )
    assert result.exit_code == 2
    assert re.search(r"\(mode 0640\).*chmod 600", result.output)


def test_both_keys_are_refused_by_the_one_check(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, origin=ORIGIN, env="test")
    path = init_key(settings)
    os.chmod(path, 0o604)
    with pytest.raises(SigningKeyError) as refused:
        load_signer(settings)
    assert f"the log's signing key {path} may be read or written by others" in str(refused.value)
    assert f"(mode 0604), so it is not used: make it private with `chmod 600 {path}`" in str(
        refused.value
    )


def test_keys_init_and_migrate_make_the_token_key_and_say_so(tmp_path: Path) -> None:
    env = {
        "COORDINATION_DATA_DIR": str(tmp_path / "a"),
        "COORDINATION_ORIGIN": ORIGIN,
        "COLUMNS": "500",
    }
    initialised = CliRunner().invoke(app, ["keys", "init"], env=env)
    assert initialised.exit_code == 0, initialised.output
    made = token_key_path(tmp_path / "a" / "keys")
    assert f"created the token-signing key {made}" in initialised.output
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    again = CliRunner().invoke(app, ["keys", "init", "--force"], env=env)
    assert again.exit_code == 0, again.output
    assert "token-signing" not in again.output  # kept: replacing it would end every token

    env = {
        **env,
        "COORDINATION_DATA_DIR": str(tmp_path / "b"),
        "COORDINATION_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}",
    }
    migrated = CliRunner().invoke(app, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    made = token_key_path(tmp_path / "b" / "keys")
    # The console may wrap a long path wherever it likes: compare without white space.
    said = "".join(migrated.output.split())
    assert "".join(f"created the token-signing key {made}".split()) in said
    assert CliRunner().invoke(app, ISSUE, env=env).exit_code == 0
    migrated = CliRunner().invoke(app, ["migrate"], env=env)
    assert "token-signing" not in migrated.output  # made once
