"""The PostgreSQL server of `make federation`: one server, a database per node that runs
on it, which outlives the launcher (`pg_ctl` runs it in the background) until
`make federation-down` stops it. Its directory is a temporary one (PostgreSQL, run as
its own user when the launcher is root, must be able to enter it), named in
`postgres.json` under the federation's root so that `down` and the next run find it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.federation_nodes import free_port
from infra.throwaway_postgres import find_bindir

STATE = "postgres.json"


@dataclass(frozen=True)
class Server:
    """A server started by `start`: its binaries, directory and port."""

    bindir: str
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [f"{self.bindir}/{args[0]}", *args[1:]],
            check=True,
            capture_output=True,
            user="postgres" if os.geteuid() == 0 else None,
        )

    def create_database(self, name: str) -> str:
        """Create database ``name``; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (a fast shutdown: sessions end at once), keeping its data."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")

    def restart(self) -> None:
        """Start the server again on its data, once it is stopped."""
        if (self.data / "postmaster.pid").exists():
            return
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.root} -c max_connections=300"
        )
        log = str(self.root / "server.log")
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60"
        )


def start(root: Path) -> Server | None:
    """A new server in a new temporary directory, named in ``root``; None when there are
    no PostgreSQL binaries on this machine."""
    bindir = find_bindir()
    if bindir is None:
        return None
    directory = Path(tempfile.mkdtemp(prefix="coordination-federation-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, user="postgres")
    server = Server(bindir, directory, free_port())
    (root / STATE).write_text(
        json.dumps({"bindir": bindir, "root": str(directory), "port": server.port}) + "\n"
    )
    server._run(
        "initdb",
        "-D",
        str(server.data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-instructions",
    )
    server.restart()
    return server


def recorded(root: Path) -> Server | None:
    """The server a previous run recorded in ``root``, if its directory is still there."""
    path = root / STATE
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    server = Server(state["bindir"], Path(state["root"]), int(state["port"]))
    return server if server.data.exists() else None


def remove(root: Path) -> None:
    """Stop the server recorded in ``root`` and delete its directory."""
    server = recorded(root)
    if server is not None:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
    (root / STATE).unlink(missing_ok=True)
