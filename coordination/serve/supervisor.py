"""`IntegratorProcess`: the log's integrator as a child process of `coordination serve`.

In a thread of an API process, the integrator shares that process's interpreter lock with
every request (before it let trickling events gather, a large share of the lock under
many writers on PostgreSQL), and its failures are failures inside the process that
answers requests (decision 18 has the figures). As a process of its own it runs beside
the API, on another core.

The supervisor starts `coordination integrate --follow --supervised`, starts it again
(after a growing pause) whenever it ends while `serve` runs, and stops it with SIGTERM
when `serve` stops. The child is in a session of its own, so a Ctrl-C in the terminal
reaches `serve` only and the child is stopped by its parent, in order. If `serve` dies
without stopping it (SIGKILL, a crash), the child still ends: its standard input is a
pipe whose only writer is `serve`, and it stops when that pipe reaches its end.

The supervisor writes how the child is doing (its process id, how often it was started
again, how it last ended) to a small file in the node's data directory, which every API
process reads for `/metrics`: with several workers, the supervisor is none of them.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from coordination.observability.integrator_status import SupervisedStatus, write_status

log = logging.getLogger("coordination.audit")

#: The command that runs the integrator under a supervisor.
COMMAND = (sys.executable, "-m", "coordination", "integrate", "--follow", "--supervised")


class IntegratorProcess:
    """Keeps one `coordination integrate --follow` process running until stopped.

    Args:
        env: The child's environment (the node's `COORDINATION_*` settings).
        command: What to run; the integrator's command by default.
        first_delay: The pause before the first restart; it doubles after each quick
            death, up to `longest_delay`, and starts over after a child lived a minute.
        longest_delay: The longest pause between restarts.
        stop_timeout: How long `stop` waits after SIGTERM before it kills the child.
        status: Where to write the child's `SupervisedStatus` whenever it changes; not
            written when None.
    """

    #: A child that lived this long died of something new: restart it without delay.
    SETTLED_AFTER = 60.0

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        command: Sequence[str] = COMMAND,
        first_delay: float = 1.0,
        longest_delay: float = 30.0,
        stop_timeout: float = 30.0,
        status: Path | None = None,
    ) -> None:
        self.env, self.command = dict(env), list(command)
        self.first_delay, self.longest_delay = first_delay, longest_delay
        self.stop_timeout, self.status = stop_timeout, status
        #: How many times the child was started again after it ended.
        self.restarts = 0
        self._last_exit_code: int | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._monitor: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        """The running child's process id (None before `start` and after `stop`)."""
        child = self._child
        return child.pid if child is not None and child.poll() is None else None

    def start(self) -> None:
        """Start the child and the thread that starts it again when it ends."""
        with self._lock:
            self._child = self._spawn()
            self._publish()
        self._monitor = threading.Thread(
            target=self._watch, name="integrator-supervisor", daemon=True
        )
        self._monitor.start()

    def stop(self) -> int | None:
        """Stop the child (SIGTERM, then SIGKILL after `stop_timeout`); its exit code."""
        self._stopping.set()
        with self._lock:
            child, self._child = self._child, None
        code = None
        if child is not None:
            child.terminate()
            try:
                code = child.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                log.warning("the integrator process did not stop in time; killing it")
                child.kill()
                code = child.wait()
            if child.stdin is not None:
                child.stdin.close()
        if self._monitor is not None:
            self._monitor.join()
        self._publish()
        return code

    def _spawn(self) -> subprocess.Popen[bytes]:
        # The command is this interpreter and our own module, or a test's; never input.
        return subprocess.Popen(  # noqa: S603
            self.command,
            env=self.env,
            stdin=subprocess.PIPE,  # the lifeline: its end is the parent's death
            start_new_session=True,  # the terminal's Ctrl-C is for the parent alone
        )

    def _watch(self) -> None:
        delay = self.first_delay
        while True:
            child = self._child
            if child is None:
                return
            started = time.monotonic()
            code = child.wait()
            if self._stopping.is_set():
                return
            if child.stdin is not None:
                child.stdin.close()
            if time.monotonic() - started >= self.SETTLED_AFTER:
                delay = self.first_delay
            log.warning(
                "the integrator process ended (exit code %s); starting it again in %.0f s",
                code,
                delay,
                extra={"fields": {"exit_code": code, "restart_in_seconds": delay}},
            )
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._child = self._spawn()
                self.restarts += 1
                self._last_exit_code = code
                self._publish()
            delay = min(delay * 2, self.longest_delay)

    def _publish(self) -> None:
        """Write the child's status for the API processes (see the module docstring)."""
        if self.status is None:
            return
        child = self._child
        status = SupervisedStatus(
            pid=child.pid if child is not None else None,
            restarts=self.restarts,
            last_exit_code=self._last_exit_code,
        )
        try:
            write_status(self.status, status)
        except OSError as error:
            # The integrator matters more than its metrics: say so, and carry on.
            log.warning("cannot write the integrator's status to %s: %s", self.status, error)
