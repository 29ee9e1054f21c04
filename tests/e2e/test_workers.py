"""`coordination serve --workers N`: several processes serve one node, over real HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.e2e.test_cli_and_serve import BIN, coordination, free_port, wait_until_up
from tests.graphql.cases import document

THEMES = "query($p: UUID!) { themes(partnershipId: $p) { edges { node { name } } } }"
WORKERS = 2


def node_env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(data_dir),
        "COORDINATION_ORIGIN": "test.example/coordination/log",
    }


@pytest.fixture
def workers_node(postgres_schema_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A migrated node on PostgreSQL served by two workers; its URL and an admin token."""
    env = node_env(postgres_schema_url, tmp_path)
    assert coordination("migrate", env=env).returncode == 0
    issued = coordination("tokens", "issue", "--role", "admin", "--person", str(uuid4()), env=env)
    assert issued.returncode == 0, issued.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/health", server, timeout=60)
        yield base, issued.stdout.strip()
    finally:
        server.terminate()
        server.wait(timeout=30)


def answered_by_fresh_connections(base: str, body: dict[str, object], token: str) -> list[object]:
    """The same request on new connections, which the kernel hands to either worker."""
    answers = []
    for _ in range(4 * WORKERS):
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            response = http.post("/graphql", json=body)
            assert response.status_code == 200
            answers.append(response.json())
    return answers


def test_every_worker_shows_a_write_once_it_is_answered(
    workers_node: tuple[str, str],
) -> None:
    base, token = workers_node
    headers = {"Authorization": f"Bearer {token}"}
    # /ready turns ready once a worker has started its read side.
    assert httpx.get(f"{base}/ready").status_code == 200
    established = httpx.post(
        f"{base}/graphql",
        headers=headers,
        json={
            "query": document("establishPartnership"),
            "variables": {
                "input": {
                    "name": "Two workers",
                    "programme": "ESF",
                    "region": "Stockholm county",
                    "periodStart": "2026-01-01",
                    "periodEnd": "2028-12-31",
                }
            },
        },
    ).json()["data"]["establishPartnership"]
    assert established["projected"] is True, established
    partnership = established["streamId"]
    themes = {"query": THEMES, "variables": {"p": partnership}}
    # Every worker answers (and keeps) the empty list first...
    for answer in answered_by_fresh_connections(base, themes, token):
        assert answer == {"data": {"themes": {"edges": []}}}

    defined = httpx.post(
        f"{base}/graphql",
        headers=headers,
        json={
            "query": document("defineTheme"),
            "variables": {"input": {"partnershipId": partnership, "name": "Housing"}},
        },
    ).json()["data"]["defineTheme"]
    assert defined["projected"] is True, defined

    # ...and once the write is answered, no worker shows the old list any more.
    for answer in answered_by_fresh_connections(base, themes, token):
        assert answer == {"data": {"themes": {"edges": [{"node": {"name": "Housing"}}]}}}


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    env = node_env(f"sqlite:///{tmp_path / 'events.db'}", tmp_path)
    result = subprocess.run(
        [str(BIN / "coordination"), "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "several workers need PostgreSQL" in result.stderr + result.stdout
