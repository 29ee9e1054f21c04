"""The self-audit at work beside the integrator (decision 35).

One auditor runs per node, in the process that integrates, and only while its integrator
leads: a full pass over the log when it starts leading, then pass after pass in the
background (a new one at most every ``pass_gap`` seconds), and each range the integrator
has just written, right after it is written (`integrated`). Work goes in chunks, and
after each the auditor rests ``elapsed * (1 - share) / share``, so that it is busy at
most ``share`` of the time: at most that share of one core here and of the database's
reads. The first finding raises the node's integrity alarm (`integrity`).

The thread keeps its operating-system priority: a thread of lower priority holding the
interpreter lock would hold up the integrator and the requests waiting for it, so the
bound is the share of time, which the auditor keeps itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .integrity import Finding, FullPass, IntegrityAlarm
from .self_audit import CHUNK, AuditPass, RangeCursor, SelfAudit
from .storage import Position

log = logging.getLogger("coordination.audit.self_audit")

#: The share of its time the auditor is busy (its chunks), at most.
SHARE = 0.1
#: The shortest time from the start of one full pass to the start of the next.
PASS_GAP_S = 2.0
#: Entries of new ranges left waiting, at most; older ones are left to the next pass.
MAX_WAITING = 200_000
#: How often a standing-by auditor looks whether its integrator leads now.
LEADER_POLL_S = 1.0
#: The pause after the log could not be read (the database down, say).
RETRY_S = 5.0


class Auditor:
    """Runs the self-audit in a thread while its integrator leads.

    Args:
        audit: The checks over the node's log.
        alarm: The node's integrity alarm, raised on the first finding.
        share: The share of its time the auditor may be busy (0 < share <= 1).
        pass_gap: The shortest time between the starts of two full passes.
        chunk: Entries per chunk.
    """

    def __init__(
        self,
        audit: SelfAudit,
        alarm: IntegrityAlarm,
        *,
        share: float = SHARE,
        pass_gap: float = PASS_GAP_S,
        chunk: int = CHUNK,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"the auditor's share of time must be in (0, 1], not {share}")
        self.audit, self.alarm = audit, alarm
        self.share, self.pass_gap, self.chunk = share, pass_gap, chunk
        self._wake = threading.Condition()
        self._new: RangeCursor | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: The last full pass finished (tests and the benchmark read it).
        self.last_pass: FullPass | None = None
        #: Seconds spent in chunks so far (what the share bounds).
        self.busy_seconds = 0.0

    def integrated(self, start: Position, end: Position) -> None:
        """The integrator has just written the entries from ``start`` to ``end``."""
        with self._wake:
            new = self._new
            if new is not None and new.end == start and end.size - new.next <= MAX_WAITING:
                new.extend(end)
            else:
                self._new = RangeCursor(self.audit, start, end)
            self._wake.notify_all()

    def start(self, leading: Callable[[], bool] = lambda: True) -> None:
        """Run in a daemon thread until `stop`, working while ``leading()`` holds."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self.run, args=(self._stop, leading), name="self-audit", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread `start` started, and wait for it."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run(self, stop: threading.Event, leading: Callable[[], bool]) -> None:
        """Audit until ``stop`` is set: passes and new ranges, paced; nothing while
        ``leading()`` is false (another process's integrator, and its auditor, lead)."""
        current: AuditPass | None = None
        next_pass = 0.0
        new_first = True
        while not stop.is_set():
            if not leading():
                current, next_pass = None, 0.0  # a full pass first when leading again
                with self._wake:
                    self._new = None
                stop.wait(LEADER_POLL_S)
                continue
            try:
                if current is None and time.monotonic() >= next_pass:
                    current = AuditPass(self.audit)
                    next_pass = time.monotonic() + self.pass_gap
                new = self._new
                cursor = new if new is not None and (current is None or new_first) else current
                new_first = not new_first
                if cursor is None:
                    self._idle(stop, next_pass)
                    continue
                elapsed = self._work(cursor)
                if current is not None and current.done:
                    self._finished(current)
                    current = None
            except Exception as error:  # any: the database down, most likely
                log.warning("the self-audit could not read the log (%s); trying again", error)
                current = None
                stop.wait(RETRY_S)
                continue
            stop.wait(elapsed * (1 - self.share) / self.share)

    def _idle(self, stop: threading.Event, next_pass: float) -> None:
        """Wait for a new range, or until the next pass is due."""
        with self._wake:
            if self._new is None and not stop.is_set():
                self._wake.wait(max(next_pass - time.monotonic(), 0.0))

    def _work(self, cursor: RangeCursor) -> float:
        """Check the next chunk of ``cursor``, raising the alarm on what it finds; the
        seconds it took."""
        started = time.monotonic()
        findings = cursor.step(self.chunk)
        elapsed = time.monotonic() - started
        self.busy_seconds += elapsed
        if findings:
            self.alarm.raise_alarm(*findings)
        with self._wake:
            if self._new is cursor and cursor.done:
                self._new = None
        return elapsed

    def _finished(self, done: AuditPass) -> None:
        summary = done.summary()
        self.alarm.record_full_pass(summary)
        self.last_pass = summary
        log.info(
            "self-audit: a full pass over %d entries in %.1f s, %d findings",
            summary.entries,
            (summary.finished_at - summary.started_at).total_seconds(),
            summary.findings,
            extra={"fields": {"entries": summary.entries, "findings": summary.findings}},
        )


def full_pass(
    audit: SelfAudit, *, progress: Callable[[int, int], None] | None = None, chunk: int = CHUNK
) -> tuple[FullPass, list[Finding]]:
    """A full pass at full speed (``coordination integrity resolve``): its summary and
    findings. ``progress`` is called with (entries checked, entries in all)."""
    running = AuditPass(audit)
    findings: list[Finding] = []
    while True:
        findings += running.step(chunk)
        if progress is not None:
            progress(min(running.next, running.end.size), running.end.size)
        if running.done:
            return running.summary(), findings
