"""The node's files are its owner's alone, whatever the umask, and a key others may read
is refused: real `coordination` processes, real HTTP."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from coordination.auth.tokens import TokenKeys
from tests.e2e.test_cli_and_serve import BIN, coordination, free_port, serving

ORIGIN = "test.example/coordination/log"


@pytest.fixture
def node_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """A node whose data directory does not exist yet; on SQLite its database is the
    default one, inside that directory."""
    env = {
        **os.environ,
        "COORDINATION_DATA_DIR": str(tmp_path / "node"),
        "COORDINATION_ORIGIN": ORIGIN,
    }
    if database_url.startswith("sqlite"):
        env.pop("COORDINATION_DATABASE_URL", None)
    else:
        env["COORDINATION_DATABASE_URL"] = database_url
    return env


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """This process's umask (so the processes it starts get it too) for the block."""
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def modes(directory: Path) -> dict[str, int]:
    """The permission bits of `directory` and of everything under it, by relative name."""
    found = {".": stat.S_IMODE(directory.stat().st_mode)}
    for path in directory.rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # a -wal going as the node stops
            found[str(path.relative_to(directory))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.05)  # polling a condition with a deadline


@pytest.mark.parametrize("mask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_every_file_the_node_makes_is_its_owners_alone(
    node_env: dict[str, str], database_url: str, mask: int
) -> None:
    data = Path(node_env["COORDINATION_DATA_DIR"])
    with umask(mask):
        assert coordination("migrate", env=node_env).returncode == 0
        with serving(node_env) as base:
            until(lambda: httpx.get(f"{base}/ready").status_code == 200, "ready")
            admin = ["--role", "admin", "--person", str(uuid4())]
            issued = coordination("tokens", "issue", *admin, env=node_env)
            assert issued.returncode == 0, issued.stderr
            assert coordination("tokens", "revoke", str(uuid4()), env=node_env).returncode == 0
            if database_url.startswith("sqlite"):
                until((data / "coordination.db-wal").exists, "the WAL file")
            else:
                until((data / "integrator-process.json").exists, "the status file")
            until((data / "keys" / "last-checkpoint").exists, "the last checkpoint kept")
            serving_modes = modes(data)
        stopped_modes = modes(data)
    expected = {
        "keys/token-signing.pem",
        "keys/log-signing.key",
        "keys/revoked-tokens.json",
        "keys/last-checkpoint",
    }
    if database_url.startswith("sqlite"):
        expected |= {"coordination.db", "coordination.db-wal", "coordination.db-shm"}
    assert expected <= set(serving_modes), serving_modes
    assert serving_modes["."] == serving_modes["keys"] == 0o700
    shared = {
        name: f"{mode:04o}"
        for name, mode in {**serving_modes, **stopped_modes}.items()
        if mode & 0o077
    }
    assert shared == {}, f"the group or others may use these: {shared}"


def refused_start(node_env: dict[str, str]) -> str:
    """What `serve` said as it refused to start (exit code 2), on one line."""
    wide = {**node_env, "COLUMNS": "500"}  # the path on one line
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(free_port())],
        env=wide,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stderr = server.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        server.terminate()
        server.communicate(timeout=15)
        pytest.fail("serve ran with keys others may read")
    assert server.returncode == 2, stderr
    return " ".join(stderr.split())


def test_serve_refuses_a_token_key_others_may_read(node_env: dict[str, str]) -> None:
    data = Path(node_env["COORDINATION_DATA_DIR"])
    TokenKeys.load_or_create(data / "keys", ORIGIN)
    key = data / "keys" / "token-signing.pem"
    key.chmod(0o644)
    message = refused_start(node_env)
    assert f"the token-signing key {key} may be read or written by others (mode 0644)" in message
    assert f"`chmod 600 {key}`" in message


def test_serve_refuses_a_log_key_others_may_read(node_env: dict[str, str]) -> None:
    assert coordination("keys", "init", env=node_env).returncode == 0
    key = Path(node_env["COORDINATION_DATA_DIR"]) / "keys" / "log-signing.key"
    key.chmod(0o644)
    message = refused_start(node_env)
    assert f"the log's signing key {key} may be read or written by others (mode 0644)" in message
    assert f"`chmod 600 {key}`" in message


def test_serve_refuses_a_keys_directory_others_may_enter(
    node_env: dict[str, str], tmp_path: Path
) -> None:
    keys = tmp_path / "keys-volume"
    env = {**node_env, "COORDINATION_KEYS_DIR": str(keys)}
    assert coordination("keys", "init", env=env).returncode == 0
    keys.chmod(0o755)
    message = refused_start(env)
    assert f"the keys directory {keys} may be read by others (mode 0755)" in message
    assert f"`chmod 700 {keys}`" in message
    integrated = coordination("integrate", env={**env, "COLUMNS": "500"})
    assert integrated.returncode == 2  # nor does any other command use it
    assert f"`chmod 700 {keys}`" in " ".join(integrated.stderr.split())
