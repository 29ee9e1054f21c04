"""A token revoked from the command line is refused by the running server, over real HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.e2e.test_cli_and_serve import BIN, coordination, free_port, wait_until_up

TRAIL = {"query": "query { auditTrail(first: 1) { edges { cursor } } }"}
PAGE = "/federation/v1/entries?limit=1"


@pytest.fixture
def node_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_ORIGIN": "test.example/coordination/log",
    }


@pytest.fixture
def migrated_node(node_env: dict[str, str]) -> Iterator[str]:
    """`coordination serve` over a migrated store, so GraphQL runs from the start."""
    assert coordination("migrate", env=node_env).returncode == 0
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


def test_the_running_server_refuses_a_token_revoked_by_the_cli(
    node_env: dict[str, str], migrated_node: str
) -> None:
    issued = coordination(
        "tokens", "issue", "--role", "auditor", "--person", str(uuid4()), env=node_env
    )
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    jti = issued.stderr.split("token id (jti): ", 1)[1].split(";", 1)[0]
    other = coordination(
        "tokens", "issue", "--role", "admin", "--person", str(uuid4()), env=node_env
    )
    bearer = {"Authorization": f"Bearer {token}"}

    accepted = httpx.post(f"{migrated_node}/graphql", json=TRAIL, headers=bearer)
    assert "errors" not in accepted.json(), accepted.text
    # Accepted: 503 only until the log's first checkpoint is signed (the key and the
    # checkpoint are public, so the token is tried on a page).
    assert httpx.get(f"{migrated_node}{PAGE}", headers=bearer).status_code in {200, 503}

    revoked = coordination("tokens", "revoke", jti, env=node_env)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == f"revoked token {jti}"

    refused = httpx.post(f"{migrated_node}/graphql", json=TRAIL, headers=bearer).json()
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "revoked" in refused["errors"][0]["message"]
    feed = httpx.get(f"{migrated_node}{PAGE}", headers=bearer)
    assert feed.status_code == 401
    assert "revoked" in feed.json()["detail"]
    still = httpx.post(
        f"{migrated_node}/graphql",
        json=TRAIL,
        headers={"Authorization": f"Bearer {other.stdout.strip()}"},
    )
    assert "errors" not in still.json(), still.text
