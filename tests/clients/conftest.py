"""A node as a user runs it, for the tests that drive it with real clients.

One `coordination serve` process (SQLite, the demo partnership loaded, GraphiQL's files
installed) serves every test of this package: the clients are what is tested here, and
starting a node per test would cost most of their time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest

from coordination.auth.tokens import TokenKeys, issue_token
from coordination.ide import api_docs
from coordination.ide.npm_pinned import install, load_manifest
from coordination.ide.page import MANIFEST
from tests.processes import free_port

BIN = Path(sys.executable).parent
ORIGIN = "clients.example/coordination/log"
#: The demo partnership's secretariat (README): its admin token may run every command.
SECRETARIAT = UUID("870438d6-02db-5503-82cb-f7455b1c51d0")
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Node:
    """A served node: where it answers, and tokens signed with its key."""

    base: str
    data_dir: Path

    @property
    def graphql(self) -> str:
        return f"{self.base}/graphql"

    @property
    def host(self) -> str:
        """`host:port`, as the browser sees it."""
        return self.base.removeprefix("http://")

    def token(self, role: str, person: UUID | None = None) -> str:
        keys = TokenKeys.load_or_create(self.data_dir / "keys", ORIGIN)
        return issue_token(keys, role=role, person=person or uuid4())

    def admin(self) -> str:
        return self.token("admin", SECRETARIAT)

    def partnership(self) -> str:
        """The demo partnership's id, as an anonymous reader finds it."""
        answer = httpx.post(
            self.graphql,
            json={"query": "{ forums(kind: PARTNERSHIP) { edges { node { uuid } } } }"},
        )
        uuid: str = answer.json()["data"]["forums"]["edges"][0]["node"]["uuid"]
        return uuid


def _coordination(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "coordination"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _wait_for(url: str, server: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # polling a condition with a deadline
    raise AssertionError(f"{url} did not answer 200 within {START_TIMEOUT_S} s")


@pytest.fixture(scope="package")
def ide_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GraphiQL's and Swagger UI's files, installed as `make install` installs them (npm
    keeps its own cache, so only the first run on a machine fetches anything)."""
    directory = tmp_path_factory.mktemp("graphiql")
    for manifest in (MANIFEST, api_docs.MANIFEST):
        install(load_manifest(manifest), directory)
    return directory


@pytest.fixture(scope="package")
def node(tmp_path_factory: pytest.TempPathFactory, ide_dir: Path) -> Iterator[Node]:
    """`coordination serve` on the demo partnership, with its log integrated and signed."""
    data_dir = tmp_path_factory.mktemp("node")
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": f"sqlite:///{data_dir / 'events.db'}",
        "COORDINATION_DATA_DIR": str(data_dir),
        "COORDINATION_ORIGIN": ORIGIN,
        "COORDINATION_IDE_DIR": str(ide_dir),
        "COORDINATION_ENV": "development",
    }
    for step in (["migrate"], ["demo"], ["keys", "init"]):
        _coordination(*step, env=env)
    port = free_port()
    # Its log goes to a file: a pipe nobody reads fills up, and the server then stops.
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/ready", server, data_dir / "serve.log")
        served = Node(base, data_dir)
        feed = {"Authorization": f"Bearer {served.token('auditor')}"}
        deadline = time.monotonic() + START_TIMEOUT_S
        while httpx.get(f"{base}/federation/v1/checkpoint", headers=feed).status_code != 200:
            assert time.monotonic() < deadline, "the log was never signed"
            time.sleep(0.05)  # polling a condition with a deadline
        yield served
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
