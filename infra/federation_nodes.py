"""The five partner nodes of `make federation` as processes: where each keeps its data,
how it is started (`coordination serve`, as an operator runs it), waited for and stopped.

Each node has a directory of its own under the federation's root (`var/federation/<code>`:
its data directory, so its keys directory, its SQLite store if it has one, `serve.log`,
`serve.pid` and `admin.token`). Two of the five run on PostgreSQL when a server can be
started (`federation_postgres`); the rest on SQLite.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

FEED = "/federation/v1"
#: The partnerships of the network (the mission's five), by the code naming their node.
PARTNERSHIPS = {
    "se": "Swedish development partnership for the social economy",
    "it": "Italian development partnership for the social economy",
    "gr": "Greek development partnership for the social economy",
    "nl": "Dutch development partnership for the social economy",
    "fi": "Finnish development partnership for the social economy",
}
#: The nodes that run on PostgreSQL when a server is at hand.
ON_POSTGRES = ("it", "fi")
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
COMMAND_TIMEOUT_S = 120.0


class FederationError(RuntimeError):
    """Something the federation needs did not happen; the message says what."""


@dataclass(frozen=True)
class Node:
    """One partner node: its code, origin, where it listens and where it keeps its data."""

    code: str
    port: int
    directory: Path
    database_url: str

    @property
    def origin(self) -> str:
        return f"{self.code}.slup.example/coordination/log"

    @property
    def name(self) -> str:
        return PARTNERSHIPS.get(self.code, self.code)

    @property
    def url(self) -> str:
        """The node's public base URL, as its partners reach it."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def backend(self) -> str:
        return "PostgreSQL" if self.database_url.startswith("postgresql") else "SQLite"

    @property
    def pid_file(self) -> Path:
        return self.directory / "serve.pid"

    def env(self) -> dict[str, str]:
        """The environment of every command run for this node: the inherited one without
        any other node's settings, and this node's."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("COORDINATION_")}
        return {
            **inherited,
            "COORDINATION_ENV": "development",
            "COORDINATION_DATA_DIR": str(self.directory),
            "COORDINATION_DATABASE_URL": self.database_url,
            "COORDINATION_ORIGIN": self.origin,
            "COORDINATION_HOST": "127.0.0.1",
            "COORDINATION_PORT": str(self.port),
            "COORDINATION_PUBLIC_URL": self.url,
        }

    def admin_token(self) -> str:
        return (self.directory / "admin.token").read_text().strip()


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def plan(
    root: Path, codes: Iterable[str], ports: list[int], postgres: Callable[[str], str] | None
) -> list[Node]:
    """The nodes to start: ``codes`` on ``ports``, those of `ON_POSTGRES` on the database
    ``postgres(code)`` gives when it is given, the others on an SQLite file of their own."""
    nodes = []
    for code, port in zip(codes, ports, strict=True):
        directory = (root / code).resolve()
        url = (
            postgres(code)
            if postgres is not None and code in ON_POSTGRES
            else f"sqlite:///{directory / 'coordination.db'}"
        )
        nodes.append(Node(code, port, directory, url))
    return nodes


def save(root: Path, nodes: list[Node]) -> None:
    """Write the nodes' plan beside them, for `down` and for whoever looks."""
    described = [{**asdict(n), "directory": str(n.directory), "origin": n.origin} for n in nodes]
    (root / "nodes.json").write_text(json.dumps(described, indent=2) + "\n")


def saved(root: Path) -> list[Node]:
    """The nodes `save` wrote, none when there are none."""
    path = root / "nodes.json"
    if not path.exists():
        return []
    return [
        Node(item["code"], item["port"], Path(item["directory"]), item["database_url"])
        for item in json.loads(path.read_text())
    ]


def coordination(node: Node, *args: str) -> str:
    """Run ``coordination ARGS`` for ``node`` as its operator would; its standard output.

    Raises:
        FederationError: The command failed; with what it said.
    """
    done = subprocess.run(
        [sys.executable, "-m", "coordination", *args],
        env=node.env(),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        said = (done.stderr + done.stdout).strip()
        raise FederationError(f"{node.code}: coordination {' '.join(args[:2])} failed: {said}")
    return done.stdout


def prepare(node: Node) -> None:
    """The node's tables and keys, and an admin token for the scenario (0600, beside it)."""
    node.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    coordination(node, "migrate")
    coordination(node, "keys", "init")
    token = coordination(
        node, "tokens", "issue", "--role", "admin", "--person", str(uuid.uuid4()), "--ttl", "30d"
    )
    path = node.directory / "admin.token"
    path.touch(mode=0o600)
    path.write_text(token.strip() + "\n")


def start(node: Node) -> subprocess.Popen[bytes]:
    """Start ``coordination serve`` for ``node`` in a session of its own (so that it
    outlives the launcher), its output in `serve.log` and its pid in `serve.pid`."""
    with open(node.directory / "serve.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "coordination", "serve"],
            env=node.env(),
            cwd=node.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    node.pid_file.write_text(f"{process.pid}\n")
    return process


def graphql(node: Node, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ask ``node``'s GraphQL API with its admin token; the data.

    Raises:
        FederationError: The answer had errors.
    """
    answer = httpx.post(
        f"{node.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {node.admin_token()}"},
        timeout=30.0,
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise FederationError(
            f"{node.code}: GraphQL answered {answer.status_code}: {body.get('errors')}"
        )
    data: dict[str, Any] = body["data"]
    return data


def wait_until(what: str, check: Callable[[], bool], timeout: float) -> None:
    """Poll ``check`` until it holds; FederationError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise FederationError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)  # polling a condition with a deadline


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(node: Node, process: subprocess.Popen[bytes] | None = None) -> None:
    """Until the node's `/ready` answers 200; its log's tail when it exits instead."""

    def ready() -> bool:
        if process is not None and process.poll() is not None:
            tail = (node.directory / "serve.log").read_text()[-2000:]
            raise FederationError(f"{node.code} exited at start ({process.returncode}):\n{tail}")
        return _answers(f"{node.url}/ready")

    wait_until(f"{node.code} to be ready at {node.url}", ready, START_TIMEOUT_S)


def _running(pid: int) -> bool:
    """Whether ``pid`` runs, reaping it when it is a child of ours that ended."""
    try:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _is_serve(pid: int) -> bool:
    """Whether ``pid`` is still a `coordination serve` (a pid file may outlive its process,
    and the number be given to another); taken as yes where /proc does not say."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return True
    try:
        words = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"coordination" in words and b"serve" in words


def stop(node: Node) -> bool:
    """Stop the node its pid file names (SIGTERM: `serve` stops its integrator and
    workers in order; SIGKILL if it has not ended in time). Whether one was running."""
    if not node.pid_file.exists():
        return False
    pid = int(node.pid_file.read_text().strip() or 0)
    node.pid_file.unlink()
    if pid <= 0 or not _running(pid) or not _is_serve(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    try:
        wait_until(f"{node.code} (pid {pid}) to stop", lambda: not _running(pid), STOP_TIMEOUT_S)
    except FederationError:
        os.kill(pid, signal.SIGKILL)
        wait_until(f"{node.code} (pid {pid}) to be killed", lambda: not _running(pid), 10.0)
    return True
