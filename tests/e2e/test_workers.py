"""`coordination serve --workers N`: several processes serve one node, over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass
class Node:
    base: str
    token: str
    port: int
    server: subprocess.Popen[str]


@pytest.fixture
def workers_node(postgres_schema_url: str, tmp_path: Path) -> Iterator[Node]:
    """A migrated node on PostgreSQL served by two workers, with an admin token."""
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
        yield Node(base, issued.stdout.strip(), port, server)
    finally:
        server.terminate()
        server.wait(timeout=60)


def answered_by_fresh_connections(base: str, body: dict[str, object], token: str) -> list[object]:
    """The same request on new connections, which the kernel hands to either worker."""
    answers = []
    for _ in range(4 * WORKERS):
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            response = http.post("/graphql", json=body)
            assert response.status_code == 200
            answers.append(response.json())
    return answers


def test_every_worker_shows_a_write_once_it_is_answered(workers_node: Node) -> None:
    base, token = workers_node.base, workers_node.token
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


# -- which worker holds which connection (Linux's /proc) ---------------------------------


def workers_of(server: subprocess.Popen[str]) -> set[int]:
    """The worker processes `serve` started (its spawned children)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == server.pid and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def sockets_of(pid: int, port: int, state: str) -> int:
    """How many TCP sockets of `pid` on local `port` are in `state` (01 open, 0A listening)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state and fields[9] in inodes:
                count += 1
    return count


def until(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.05)  # polling a condition with a deadline


def test_every_worker_starts_and_takes_connections(workers_node: Node) -> None:
    """Both workers get through start-up and accept connections. (A worker starting after
    the other had begun to lead the audit log once waited for ever on its lock, and the
    other served everything; `test_integrator` pins that case down deterministically.)"""
    clients: list[httpx.Client] = []

    def every_worker_holds_one() -> bool:
        client = httpx.Client(base_url=workers_node.base)  # kept open: a connection held
        clients.append(client)
        assert client.get("/health").status_code == 200
        held = {w: sockets_of(w, workers_node.port, "01") for w in workers_of(workers_node.server)}
        assert sum(held.values()) == len(clients), held
        return len(held) == WORKERS and all(held.values())

    try:
        until(every_worker_holds_one)
    finally:
        for client in clients:
            client.close()


def test_a_killed_worker_is_replaced_and_the_node_keeps_serving(workers_node: Node) -> None:
    until(lambda: len(workers_of(workers_node.server)) == WORKERS)
    before = workers_of(workers_node.server)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    until(lambda: len(workers_of(workers_node.server) - {victim}) == WORKERS)
    after = workers_of(workers_node.server)
    assert len(after) == WORKERS
    assert victim not in after
    for _ in range(8):  # fresh connections reach whichever worker: all of them answer
        assert httpx.get(f"{workers_node.base}/health").status_code == 200
    workers_node.server.terminate()
    assert workers_node.server.wait(timeout=60) == 0
    assert not any(Path(f"/proc/{w}").exists() for w in after), "a worker outlived serve"


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
