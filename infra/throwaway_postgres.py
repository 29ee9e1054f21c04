#!/usr/bin/env python3
"""A throwaway PostgreSQL server for tests and benchmarks: start, use, stop, delete.

Run a command with a fresh server (its URL in COORDINATION_TEST_DATABASE_URL):

    python infra/throwaway_postgres.py -- pytest

or import `throwaway_server()` (the test suite does, when no server is configured).
The server runs from a temporary directory on a free loopback port; as root it runs as
the `postgres` user (PostgreSQL refuses to run as root). Binaries come from
`pg_config --bindir` or /usr/lib/postgresql/<version>/bin; when there are none, Debian's
`postgresql` package is installed if this is a root Debian machine, otherwise the error
says what to install. Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

START_TIMEOUT_S = 60.0
DBNAME = "coordination_test"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started; the message says what to do."""


def _has_initdb(bindir: str) -> bool:
    return Path(bindir, "initdb").is_file() and Path(bindir, "postgres").is_file()


def find_bindir() -> str | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and _has_initdb(out.stdout.strip()):
            return out.stdout.strip()
    candidates = glob.glob("/usr/lib/postgresql/*/bin")
    candidates.sort(key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    for bindir in reversed(candidates):
        if _has_initdb(bindir):
            return bindir
    return None


def ensure_bindir() -> str:
    """The binaries' directory, installing Debian's package when that is possible."""
    bindir = find_bindir()
    if bindir:
        return bindir
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("PostgreSQL not found: installing Debian's postgresql package", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
            check=False,
            env=env,
        )
        bindir = find_bindir()
        if bindir:
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, postgres) were not found. Install them "
        "(Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) or set "
        "COORDINATION_TEST_DATABASE_URL=postgresql://user:password@host:port/database "
        "to use an existing server."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_as() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


def _wait_ready(bindir: str, port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PostgresUnavailable(f"PostgreSQL exited at start-up:\n{log.read_text()}")
        probe = subprocess.run(
            [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"], check=False
        )
        if probe.returncode == 0:
            return
        time.sleep(0.1)  # polling a condition with a deadline, not waiting for luck
    raise PostgresUnavailable(f"PostgreSQL did not accept connections in {START_TIMEOUT_S} s")


class ThrowawayServer:
    """A server in a temporary directory of its own, which can be stopped and started
    again on the same port and data (to test what a node does while its database is
    down); `remove` stops it and deletes the directory.

    Args:
        durable: Keep fsync on (benchmarks); tests turn it off for speed.
    """

    def __init__(self, *, durable: bool = False) -> None:
        self.bindir = ensure_bindir()
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="coordination-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = _free_port()
        self.durable = durable
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{DBNAME}"
        self._server: subprocess.Popen[bytes] | None = None
        if self.user:
            shutil.chown(self.root, user=self.user)
            os.chmod(self.root, 0o700)
        try:
            subprocess.run(
                [
                    f"{self.bindir}/initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--no-instructions",
                ],
                check=True,
                user=self.user,
                capture_output=True,
            )
            self.start()
            subprocess.run(
                [
                    f"{self.bindir}/createdb",
                    *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DBNAME),
                ],
                check=True,
                capture_output=True,
            )
        except BaseException:
            self.remove()
            raise

    def start(self) -> None:
        """Start the server (again), and return once it accepts connections."""
        settings = [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.root}",
            "-c",
            "max_connections=300",
            "-c",
            "shared_buffers=256MB",
        ]
        if not self.durable:
            settings += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        with open(self.log, "ab") as log_file:
            self._server = subprocess.Popen(
                [f"{self.bindir}/postgres", "-D", str(self.data), "-p", str(self.port), *settings],
                user=self.user,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        _wait_ready(self.bindir, self.port, self._server, self.log)

    @property
    def running(self) -> bool:
        """Whether the server was started and not stopped since."""
        return self._server is not None

    def stop(self, *, fast: bool = False) -> None:
        """Stop the server: a smart shutdown (waits for sessions to end; escalated after
        a while), or with `fast` a fast one (ends every session at once, as an operator's
        restart does)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.send_signal(signal.SIGINT if fast else signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    def remove(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_server(*, durable: bool = False) -> Iterator[str]:
    """Start a server, yield its database URL, and stop and delete it afterwards.

    Args:
        durable: Keep fsync on (benchmarks); tests turn it off for speed.
    """
    server = ThrowawayServer(durable=durable)
    try:
        yield server.url
    finally:
        server.remove()


def main(argv: list[str]) -> int:
    durable = "--durable" in argv
    argv = [a for a in argv if a != "--durable"]
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print("usage: throwaway_postgres.py [--durable] -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    # SIGTERM (a CI time limit, `kill`) would end this process at once and leave the
    # server and its directory behind; as an exit, it ends the command and then them.
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))
    try:
        with throwaway_server(durable=durable) as url:
            print(f"throwaway PostgreSQL at {url}", file=sys.stderr)
            env = {**os.environ, "COORDINATION_TEST_DATABASE_URL": url}
            return subprocess.run(command, env=env, check=False).returncode
    except PostgresUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
