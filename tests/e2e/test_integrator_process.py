"""The integrator as a process of its own: `coordination integrate --follow` beside a node
whose API processes do not integrate (`COORDINATION_INTEGRATE=off`), and as the child
that `coordination serve` starts, restarts and stops (`process`, the default on
PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from coordination.audit.storage import open_storage
from coordination.bootstrap import System, bootstrap
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.asgi import serving
from tests.audit.support import fill_events
from tests.e2e.test_cli_and_serve import BIN, coordination, free_port, wait_until_up
from tests.processes import alive

ORIGIN = "test.example/coordination/log"


def log_size(system: System) -> tuple[int, int]:
    """Events integrated, and the size of the latest signed checkpoint."""
    storage = open_storage(system.target, system.app)
    try:
        storage.create_tables()  # as the integrator does; it may not have started yet
        checkpoint = storage.latest_checkpoint()
        return storage.position().size, checkpoint.size if checkpoint else -1
    finally:
        storage.close()


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)  # polling a condition with a deadline


def test_integrate_follow_integrates_as_events_arrive_and_stops_on_sigterm(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_ORIGIN": ORIGIN,
    }
    for step in (["migrate"], ["keys", "init"]):
        done = coordination(*step, env=env)
        assert done.returncode == 0, done.stderr
    system = bootstrap(Settings(database_url=database_url, data_dir=tmp_path, origin=ORIGIN))
    follower = subprocess.Popen(
        [str(BIN / "coordination"), "integrate", "--follow"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fill_events(system.app, 30)
        wait_for(lambda: log_size(system) == (30, 30))
        fill_events(system.app, 12)  # while it runs
        wait_for(lambda: log_size(system) == (42, 42))
        assert follower.poll() is None
        follower.send_signal(signal.SIGTERM)
        _, err = follower.communicate(timeout=30)
    finally:
        if follower.poll() is None:
            follower.kill()
        system.close()
    assert follower.returncode == 0, err
    assert "integrated 42 events; the log has 42 entries, signed" in " ".join(err.split())


async def test_only_a_node_told_to_integrate_in_a_thread_starts_one(
    settings: Settings, system: System
) -> None:
    # `process` is what `serve` hands its app when it runs the integrator as its child.
    cases = [("off", False), ("process", False), ("thread", True), ("auto", True)]
    for integrate, started in cases:
        app = create_app(settings.model_copy(update={"integrate": integrate}), system=system)
        async with serving(app) as client:
            assert (await client.get("/health")).status_code == 200
            audit = app.state.audit
            # The log is served either way; only the integrating thread differs.
            assert audit.log is not None
            assert (audit.integrator._thread is not None) is started


def integrator_children(parent: int) -> list[int]:
    """The running `integrate` processes whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == parent and fields[0] != "Z" and b"integrate" in command:
            found.append(int(entry.name))
    return found


def one_child(parent: int, *, other_than: int | None = None) -> int:
    children: list[int] = []

    def found() -> bool:
        children[:] = integrator_children(parent)
        return len(children) == 1 and children[0] != other_than

    wait_for(found, timeout=60)
    return children[0]


def migrated_node(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a node on `database_url`, its store migrated, integrating as
    `serve` does by default (a process of its own, on PostgreSQL)."""
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(data_dir),
        "COORDINATION_ORIGIN": ORIGIN,
    }
    env.pop("COORDINATION_INTEGRATE", None)
    assert coordination("migrate", env=env).returncode == 0
    return env


def start_serve(
    database_url: str, data_dir: Path, port: int | None = None
) -> subprocess.Popen[str]:
    env = migrated_node(database_url, data_dir)
    port = port or free_port()
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port)],
        env=env,
        stdout=(data_dir / "serve.out").open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_until_up(f"http://127.0.0.1:{port}/health", server, timeout=60)
    return server


def integrator_metrics(port: int) -> dict[str, float]:
    """The integrator's figures on the node's `/metrics`."""
    lines = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text.splitlines()
    prefix = "coordination_integrator_"
    return {
        name.removeprefix(prefix): float(value)
        for name, _, value in (line.partition(" ") for line in lines)
        if name.startswith(prefix)
    }


def test_serve_on_postgres_runs_the_integrator_as_a_child_it_restarts_and_stops(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    port = free_port()
    server = start_serve(postgres_schema_url, tmp_path, port)
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path, origin=ORIGIN)
    system = bootstrap(settings)
    try:
        first = one_child(server.pid)
        wait_for(lambda: integrator_metrics(port) == {"up": 1.0, "restarts_total": 0.0})
        fill_events(system.app, 20)
        wait_for(lambda: log_size(system) == (20, 20))
        os.kill(first, signal.SIGKILL)  # killed mid-run: serve starts another
        second = one_child(server.pid, other_than=first)
        # /metrics says so: the supervisor is in serve, the metrics in its worker.
        wait_for(lambda: integrator_metrics(port) == {"up": 1.0, "restarts_total": 1.0})
        fill_events(system.app, 10)
        wait_for(lambda: log_size(system) == (30, 30))
        server.send_signal(signal.SIGTERM)
        # serve ends by the signal, as its HTTP server does, once its child has stopped:
        # checked at once, so the child's lifeline (which ends it a little later) would
        # not pass this.
        assert server.wait(timeout=60) == -signal.SIGTERM
        assert not alive(second)
    finally:
        if server.poll() is None:
            server.kill()
        system.close()
    output = " ".join((tmp_path / "serve.out").read_text().split())
    assert "the log's integrator: a process of its own" in output
    assert "the integrator process ended (exit code -9)" in output
    assert "integrated 10 events; the log has 30 entries, signed" in output  # an orderly end


def test_a_killed_serve_leaves_no_integrator_running(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    server = start_serve(postgres_schema_url, tmp_path)
    try:
        child = one_child(server.pid)
        server.kill()  # no shutdown at all: only the lifeline tells the child
        server.wait(timeout=30)
        wait_for(lambda: not alive(child))
    finally:
        if server.poll() is None:
            server.kill()


#: `coordination serve`, with a SIGTERM sent to itself while its app is being built:
#: after `serve` holds the stop signals, before the HTTP server handles them itself.
SIGNALLED_WHILE_STARTING = """
import os, signal, sys
import coordination.http.app as api
from coordination.cli import app

built = api.create_app

def create_app(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    return built(*args, **kwargs)

api.create_app = create_app
app(prog_name="coordination", args=["serve", "--port", sys.argv[1]])
"""


def supervised_integrators(data_dir: Path) -> list[int]:
    """The running `integrate --supervised` processes of the node in `data_dir`."""
    found = []
    mark = f"COORDINATION_DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError, PermissionError):
            continue
        if b"--supervised" in command and mark in environment and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


#: The same, with the signal sent the moment the integrator's child has been started.
SIGNALLED_AS_THE_CHILD_STARTS = """
import os, signal, sys
from coordination.serve.supervisor import IntegratorProcess
from coordination.cli import app

spawn = IntegratorProcess._spawn

def spawned(self):
    child = spawn(self)
    os.kill(os.getpid(), signal.SIGTERM)
    return child

IntegratorProcess._spawn = spawned
app(prog_name="coordination", args=["serve", "--port", sys.argv[1]])
"""

#: The same with two workers, the signal sent just before uvicorn's process manager takes
#: the stop signals over (while the listening socket is bound).
SIGNALLED_BEFORE_THE_WORKERS_START = """
import os, signal, sys
import uvicorn
from coordination.cli import app

bind = uvicorn.Config.bind_socket

def bound(self):
    sock = bind(self)
    os.kill(os.getpid(), signal.SIGTERM)
    return sock

uvicorn.Config.bind_socket = bound
app(prog_name="coordination", args=["serve", "--port", sys.argv[1], "--workers", "2"])
"""


@pytest.mark.parametrize(
    "program",
    [SIGNALLED_WHILE_STARTING, SIGNALLED_AS_THE_CHILD_STARTS, SIGNALLED_BEFORE_THE_WORKERS_START],
    ids=["building-the-app", "child-just-started", "before-the-workers"],
)
def test_serve_told_to_stop_while_it_starts_stops_its_child_and_ends(
    program: str, postgres_schema_url: str, tmp_path: Path
) -> None:
    # Such a signal used to be held until the server ended, which it then never did
    # (building the app; before the workers), or to end serve at once and leave the
    # child to its lifeline (as the child started).
    # Output to a file, not a pipe: the child inherits it, and reading a pipe to its end
    # would wait for the child as well.
    server = subprocess.Popen(
        [sys.executable, "-c", program, str(free_port())],
        env=migrated_node(postgres_schema_url, tmp_path),
        stdout=(tmp_path / "serve.out").open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        code = server.wait(timeout=60)
        left = supervised_integrators(tmp_path)  # at once: not yet ended by its lifeline
    finally:
        if server.poll() is None:
            server.kill()
    output = (tmp_path / "serve.out").read_text()
    assert code == -signal.SIGTERM, output
    assert "the log's integrator: a process of its own" in " ".join(output.split())
    assert left == []  # stopped by serve
    assert "Started parent process" not in output  # with two workers: none was started


def log_gauges(exposition: str) -> dict[str, float]:
    names = ("lag_events", "entries", "signed_entries")
    found = {}
    for line in exposition.splitlines():
        name, _, value = line.partition(" ")
        if name.removeprefix("coordination_log_") in names:
            found[name.removeprefix("coordination_log_")] = float(value)
    return found


async def test_metrics_show_the_log_behind_until_it_is_integrated(
    settings: Settings, system: System
) -> None:
    # A node whose integrator runs elsewhere (or died): /metrics is where that shows.
    app = create_app(settings.model_copy(update={"integrate": "off"}), system=system)
    async with serving(app) as client:
        fill_events(system.app, 5)
        before = log_gauges((await client.get("/metrics")).text)
        assert before == {"lag_events": 5, "entries": 0, "signed_entries": 0}
        # In a thread: on SQLite the projector, on this loop, may hold the write lock.
        await asyncio.to_thread(app.state.audit.integrator.run_once)
        after = log_gauges((await client.get("/metrics")).text)
        assert after == {"lag_events": 0, "entries": 5, "signed_entries": 5}
