"""`IntegratorProcess` with small stand-in children: restarts, stops, kills, lifelines.

The real child (`coordination integrate --follow --supervised` under `serve`) is run by
tests/e2e/test_integrator_process.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coordination.observability import Metrics
from coordination.observability.integrator_status import SupervisedStatus, read_status
from coordination.serve.supervisor import IntegratorProcess
from tests.processes import alive

#: Runs until its standard input ends, like the supervised integrator.
UNTIL_STDIN_ENDS = [sys.executable, "-c", "import os\nwhile os.read(0, 4096): pass"]


def stubborn(ready: Path) -> list[str]:
    """Ignores SIGTERM and its standard input (only SIGKILL ends it); writes `ready` once
    it ignores SIGTERM."""
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "open(sys.argv[1], 'w').close()\n"
        "while True: time.sleep(1)\n"
    )
    return [sys.executable, "-c", script, str(ready)]


def until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)  # polling a condition with a deadline


@pytest.fixture
def supervisors() -> Iterator[list[IntegratorProcess]]:
    made: list[IntegratorProcess] = []
    yield made
    for supervisor in made:
        supervisor.stop()


def supervise(
    made: list[IntegratorProcess], command: list[str], status: Path | None = None, **kw: float
) -> IntegratorProcess:
    supervisor = IntegratorProcess(dict(os.environ), command=command, status=status, **kw)
    made.append(supervisor)
    supervisor.start()
    return supervisor


def test_a_child_that_dies_is_started_again(supervisors: list[IntegratorProcess]) -> None:
    supervisor = supervise(supervisors, UNTIL_STDIN_ENDS, first_delay=0.05)
    first = supervisor.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    until(lambda: supervisor.pid not in (None, first))
    assert supervisor.restarts == 1
    second = supervisor.pid
    assert second is not None
    os.kill(second, signal.SIGTERM)  # an orderly end is restarted too: it must run
    until(lambda: supervisor.pid not in (None, second))
    assert supervisor.restarts == 2


def test_stop_ends_the_child_and_nothing_is_restarted(
    supervisors: list[IntegratorProcess],
) -> None:
    supervisor = supervise(supervisors, UNTIL_STDIN_ENDS, first_delay=0.05)
    pid = supervisor.pid
    assert pid is not None
    assert supervisor.stop() == -signal.SIGTERM
    assert not alive(pid)
    assert supervisor.pid is None
    assert supervisor.restarts == 0


def test_a_child_deaf_to_sigterm_is_killed_after_the_timeout(
    supervisors: list[IntegratorProcess], tmp_path: Path
) -> None:
    ready = tmp_path / "ready"
    supervisor = supervise(supervisors, stubborn(ready), stop_timeout=0.5)
    pid = supervisor.pid
    assert pid is not None
    until(ready.exists)
    assert supervisor.stop() == -signal.SIGKILL
    assert not alive(pid)


def test_restarts_wait_longer_after_each_quick_death(
    supervisors: list[IntegratorProcess],
) -> None:
    dies = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor = supervise(supervisors, dies, first_delay=0.2, longest_delay=0.4)
    started = time.monotonic()
    until(lambda: supervisor.restarts >= 3)
    # Pauses of 0.2, 0.4 and 0.4 s: no tight loop of restarts.
    assert time.monotonic() - started >= 1.0


def test_the_child_of_a_killed_supervisor_ends(tmp_path: Path) -> None:
    """The lifeline: a supervisor SIGKILLed (no `stop`) leaves no child running."""
    pid_file = tmp_path / "child.pid"
    script = (
        "import sys, time\n"
        "from coordination.serve.supervisor import IntegratorProcess\n"
        f"s = IntegratorProcess({{}}, command={UNTIL_STDIN_ENDS!r})\n"
        "s.start()\n"
        f"open({str(pid_file)!r}, 'w').write(str(s.pid))\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        until(lambda: pid_file.exists() and pid_file.read_text().strip())
        child = int(pid_file.read_text())
        assert alive(child)
        parent.kill()
        parent.wait(10)
        until(lambda: not alive(child))
    finally:
        if parent.poll() is None:
            parent.kill()


def integrator_metrics(metrics: Metrics) -> dict[str, float]:
    """The integrator's lines of a `/metrics` exposition, by name."""
    lines = metrics.exposition().decode().splitlines()
    return {
        name: float(value)
        for name, _, value in (line.partition(" ") for line in lines)
        if name.startswith("coordination_integrator_")
    }


def test_the_status_file_follows_the_child_and_metrics_read_it(
    supervisors: list[IntegratorProcess], tmp_path: Path
) -> None:
    status = tmp_path / "integrator-process.json"
    metrics = Metrics()
    metrics.watch_integrator_process(status)
    assert integrator_metrics(metrics) == {
        "coordination_integrator_up": 0.0,  # no supervisor has written yet
        "coordination_integrator_restarts_total": 0.0,
    }
    supervisor = supervise(supervisors, UNTIL_STDIN_ENDS, status, first_delay=0.05)
    first = supervisor.pid
    assert read_status(status) == SupervisedStatus(pid=first, restarts=0)
    assert integrator_metrics(metrics) == {
        "coordination_integrator_up": 1.0,
        "coordination_integrator_restarts_total": 0.0,
    }
    assert first is not None
    os.kill(first, signal.SIGKILL)
    until(lambda: supervisor.pid not in (None, first))
    until(lambda: read_status(status) == SupervisedStatus(supervisor.pid, 1, -signal.SIGKILL))
    assert integrator_metrics(metrics)["coordination_integrator_restarts_total"] == 1.0
    supervisor.stop()
    assert read_status(status) == SupervisedStatus(pid=None, restarts=1, last_exit_code=-9)
    assert integrator_metrics(metrics) == {
        "coordination_integrator_up": 0.0,
        "coordination_integrator_restarts_total": 1.0,
    }


def test_a_status_left_by_a_killed_supervisor_does_not_count_as_running(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    status = tmp_path / "integrator-process.json"
    status.write_text(f'{{"pid": {gone.pid}, "restarts": 2, "last_exit_code": null}}')
    metrics = Metrics()
    metrics.watch_integrator_process(status)
    assert integrator_metrics(metrics) == {
        "coordination_integrator_up": 0.0,
        "coordination_integrator_restarts_total": 2.0,
    }


@pytest.mark.parametrize("content", ["", "{", "[]", '{"pid": "x", "restarts": 1}', '{"pid": 1}'])
def test_a_status_file_that_cannot_be_read_reports_nothing_running(
    tmp_path: Path, content: str
) -> None:
    status = tmp_path / "integrator-process.json"
    status.write_text(content)
    assert read_status(status) is None
    metrics = Metrics()
    metrics.watch_integrator_process(status)
    assert integrator_metrics(metrics)["coordination_integrator_up"] == 0.0


def test_a_status_that_cannot_be_written_does_not_stop_the_supervisor(
    supervisors: list[IntegratorProcess], tmp_path: Path
) -> None:
    status = tmp_path / "no such directory" / "integrator-process.json"
    supervisor = supervise(supervisors, UNTIL_STDIN_ENDS, status, first_delay=0.05)
    first = supervisor.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    until(lambda: supervisor.pid not in (None, first))
    assert supervisor.restarts == 1
    assert not status.exists()
