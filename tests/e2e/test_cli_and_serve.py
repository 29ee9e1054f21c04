"""The CLI and the served API, as a user runs them: real processes, real HTTP."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.processes import free_port

BIN = Path(sys.executable).parent


def coordination(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "coordination"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def node_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_ORIGIN": "test.example/coordination/log",
    }


def wait_until_up(url: str, server: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[0]
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)  # polling a condition with a deadline
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def served(node_env: dict[str, str]) -> Iterator[str]:
    with serving(node_env) as base:
        yield base


@contextlib.contextmanager
def serving(node_env: dict[str, str]) -> Iterator[str]:
    """`coordination serve` on a free port; yields its base URL, stops it afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port)],
        env=node_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/health", server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_migrate_then_demo_loads_the_article_partnership_once(node_env: dict[str, str]) -> None:
    migrated = coordination("migrate", env=node_env)
    assert migrated.returncode == 0, migrated.stderr
    assert "events recorded: 0" in migrated.stderr
    loaded = coordination("demo", "--if-empty", env=node_env)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded the demo partnership" in loaded.stderr
    again = coordination("demo", "--if-empty", env=node_env)
    assert again.returncode == 0
    assert "already has events" in again.stderr


def test_serve_before_migrate_is_not_ready_and_says_what_to_do(
    node_env: dict[str, str], served: str
) -> None:
    health = httpx.get(f"{served}/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    not_ready = httpx.get(f"{served}/ready")
    assert not_ready.status_code == 503
    assert "coordination migrate" in not_ready.json()["detail"]
    assert coordination("migrate", env=node_env).returncode == 0
    # Migrated now, but this process started without its views, GraphQL and log.
    still = httpx.get(f"{served}/ready")
    assert still.status_code == 503
    assert "restart it" in still.json()["detail"]
    assert httpx.post(f"{served}/graphql", json={"query": "{ __typename }"}).status_code == 503


def test_a_bad_database_url_is_refused_with_a_clear_message(node_env: dict[str, str]) -> None:
    result = coordination("migrate", env={**node_env, "COORDINATION_DATABASE_URL": "mysql://x/y"})
    assert result.returncode != 0
    assert "unsupported database URL scheme 'mysql'" in result.stderr + result.stdout


def test_verify_checks_a_served_node_with_an_auditors_token(node_env: dict[str, str]) -> None:
    # The feed asks auditors for a token, and `verify` had no way to send one.
    for step in (["migrate"], ["demo"], ["keys", "init"]):
        done = coordination(*step, env=node_env)
        assert done.returncode == 0, done.stderr
    auditor = ["--role", "auditor", "--person", str(uuid4())]
    issued = coordination("tokens", "issue", *auditor, env=node_env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    key = coordination("keys", "show", env=node_env).stdout.strip()
    # A node serving anonymous callers lets anyone verify its whole tree (public entries
    # and leaf hashes); this one serves none, so a token is needed.
    node_env = {**node_env, "COORDINATION_ALLOW_ANONYMOUS": "false"}
    with serving(node_env) as base:
        signed = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 60
        while httpx.get(f"{base}/federation/v1/checkpoint", headers=signed).status_code != 200:
            assert time.monotonic() < deadline, "no signed checkpoint in time"
            time.sleep(0.1)  # polling a condition with a deadline
        without = coordination("verify", base, "--key", key, env=node_env)
        assert without.returncode == 1
        assert "401" in without.stderr
        assert "--token or COORDINATION_TOKEN" in " ".join(without.stderr.split())
        verified = coordination(
            "verify", base, "--key", key, env={**node_env, "COORDINATION_TOKEN": token}
        )
        assert verified.returncode == 0, verified.stderr
        assert "OK" in verified.stderr
        named = coordination("verify", base, "--key", key, "--token", token, env=node_env)
        assert named.returncode == 0, named.stderr
