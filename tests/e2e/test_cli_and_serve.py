"""The CLI and the served API, as a user runs them: real processes, real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port

BIN = Path(sys.executable).parent


def coordination(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "coordination"), *args],
        env=env,
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
