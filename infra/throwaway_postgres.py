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


@contextlib.contextmanager
def throwaway_server(*, durable: bool = False) -> Iterator[str]:
    """Start a server, yield its database URL, and stop and delete it afterwards.

    Args:
        durable: Keep fsync on (benchmarks); tests turn it off for speed.
    """
    bindir = ensure_bindir()
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="coordination-pg-"))
    data, log = root / "data", root / "server.log"
    if user:
        shutil.chown(root, user=user)
        os.chmod(root, 0o700)
    subprocess.run(
        [
            f"{bindir}/initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ],
        check=True,
        user=user,
        capture_output=True,
    )
    port = _free_port()
    settings = [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={root}",
        "-c",
        "max_connections=300",
        "-c",
        "shared_buffers=256MB",
    ]
    if not durable:
        settings += [
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [f"{bindir}/postgres", "-D", str(data), "-p", str(port), *settings],
            user=user,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(bindir, port, server, log)
        subprocess.run(
            [f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DBNAME],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/{DBNAME}"
    finally:
        server.terminate()  # SIGTERM: smart shutdown; escalate if sessions linger
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)


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
