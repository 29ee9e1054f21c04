"""The node's signing key: created 0600, never overwritten by accident, named by the origin."""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from coordination.audit.keys import (
    SigningKeyError,
    init_key,
    key_path,
    keys_dir,
    load_or_create_signer,
    load_signer,
    private_keys_dir,
    show_key,
)
from coordination.audit.note import Signer, Verifier
from coordination.private_files import write_private
from coordination.settings import Settings

ORIGIN = "test.example/coordination/log"


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("COORDINATION_SIGNING_KEY", raising=False)
    monkeypatch.delenv("COORDINATION_SIGNING_KEY_FILE", raising=False)
    return Settings(data_dir=tmp_path / "data", origin=ORIGIN, env="test")


def test_init_creates_a_private_key_file_named_by_the_origin(node: Settings) -> None:
    path = init_key(node)
    assert path == node.data_dir / "keys" / "log-signing.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    signer = Signer.from_skey(path.read_text().strip())
    assert signer.name == ORIGIN
    assert load_signer(node).verifier == signer.verifier


def test_init_refuses_to_overwrite_without_force(node: Settings) -> None:
    first = init_key(node).read_text()
    with pytest.raises(SigningKeyError, match="already exists"):
        init_key(node)
    assert key_path(node).read_text() == first
    init_key(node, force=True)
    assert key_path(node).read_text() != first
    assert stat.S_IMODE(key_path(node).stat().st_mode) == 0o600
    # No temporary left, and nothing beside the database.
    assert [p.name for p in node.data_dir.iterdir()] == ["keys"]
    assert [p.name for p in (node.data_dir / "keys").iterdir()] == ["log-signing.key"]


def test_show_gives_the_verifier_key_line(node: Settings) -> None:
    init_key(node)
    line = show_key(node)
    verifier = Verifier.from_vkey(line)
    assert line.startswith(f"{ORIGIN}+")
    assert verifier == load_signer(node).verifier
    assert "PRIVATE" not in line


def test_a_configured_key_file_is_used(node: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = node.data_dir.parent / "secrets" / "node.key"
    node = node.model_copy(update={"signing_key_file": elsewhere})
    assert init_key(node) == elsewhere
    assert load_signer(node).verifier.vkey == show_key(node)


def test_the_key_can_come_from_the_environment(
    node: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = Signer.generate(ORIGIN)
    node = node.model_copy(update={"signing_key": SecretStr(signer.skey())})
    assert load_signer(node).verifier == signer.verifier
    with pytest.raises(SigningKeyError, match="COORDINATION_SIGNING_KEY"):
        init_key(node)


def test_a_missing_key_says_how_to_make_one(node: Settings) -> None:
    with pytest.raises(SigningKeyError, match="keys init"):
        load_signer(node)


def test_a_key_readable_by_others_is_refused(node: Settings) -> None:
    path = init_key(node)
    os.chmod(path, 0o644)
    with pytest.raises(SigningKeyError, match="chmod 600"):
        load_signer(node)


def test_a_key_of_another_origin_is_refused(
    node: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = node.model_copy(
        update={"signing_key": SecretStr(Signer.generate("other.example/log").skey())}
    )
    with pytest.raises(SigningKeyError, match=re.escape("named 'other.example/log'")):
        load_signer(node)


def test_a_malformed_key_is_refused_without_echoing_it(
    node: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = node.model_copy(update={"signing_key": SecretStr("PRIVATE+KEY+secret-material")})
    with pytest.raises(SigningKeyError, match="not valid") as refused:
        load_signer(node)
    assert "secret-material" not in str(refused.value)


def test_a_development_node_gets_a_key_when_it_has_none(node: Settings) -> None:
    signer = load_or_create_signer(node)
    assert stat.S_IMODE(key_path(node).stat().st_mode) == 0o600
    assert load_or_create_signer(node).verifier == signer.verifier  # made once


def test_a_production_node_without_a_key_refuses_to_start(node: Settings) -> None:
    production = node.model_copy(update={"env": "production"})
    with pytest.raises(SigningKeyError, match="keys init"):
        load_or_create_signer(production)
    assert not key_path(production).exists()


def test_the_keys_directory_is_its_own_setting(node: Settings, tmp_path: Path) -> None:
    assert keys_dir(node) == node.data_dir / "keys"
    assert init_key(node) == node.data_dir / "keys" / "log-signing.key"
    volume = tmp_path / "keys-volume"
    apart = node.model_copy(update={"keys_dir": volume})
    assert keys_dir(apart) == volume
    assert init_key(apart) == volume / "log-signing.key"
    assert stat.S_IMODE(volume.stat().st_mode) == 0o700


def test_a_keys_directory_others_may_enter_is_refused_naming_the_fix(node: Settings) -> None:
    directory = private_keys_dir(node)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700  # made private
    directory.chmod(0o755)
    with pytest.raises(SigningKeyError) as refused:
        private_keys_dir(node)
    message = str(refused.value)
    assert f"the keys directory {directory} may be read by others (mode 0755)" in message
    assert f"make it private with `chmod 700 {directory}`" in message
    directory.chmod(0o700)
    assert private_keys_dir(node) == directory


def test_a_key_at_its_old_place_is_used_there_and_replaced_only_on_purpose(
    node: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = node.data_dir / "signing.key"
    signer = Signer.generate(ORIGIN)
    legacy.parent.mkdir(mode=0o700)
    write_private(legacy, f"{signer.skey()}\n".encode())
    moved = node.data_dir / "keys" / "log-signing.key"
    with caplog.at_level(logging.WARNING, logger="coordination.audit.keys"):
        assert load_or_create_signer(node).verifier == signer.verifier  # none made
    assert f"`mv {legacy} {moved}`" in caplog.text
    assert not moved.exists()
    with pytest.raises(SigningKeyError, match=re.escape(f"{legacy} already exists")):
        init_key(node)
    assert init_key(node, force=True) == moved  # a rotation: to the keys directory
    assert not legacy.exists()  # the replaced key is not left beside the database
    caplog.clear()
    assert load_signer(node).verifier != signer.verifier
    assert "mv" not in caplog.text
