"""Encoding in a worker process, so that the integrator's writes and its encoding overlap.

The integrator is CPU-bound in one interpreter: reading, encoding and (on SQLite) the
database's own work share one lock. Encoding is pure (rows in, entry bytes and leaf
hashes out), so one worker process can encode batch N+1 while the integrator writes
batch N. The worker never writes; its answers come back in the order of the requests,
and a failure there (an exception, or the process killed) is raised to the integrator
from the batch it concerns, never skipped. The worker is started from a fresh
interpreter (``spawn``; forking a threaded process is unsafe), on first use, and
restarted after it dies. Until it has started, batches are encoded in-process.

Why not ``ProcessPoolExecutor``: its queues keep both ends of their pipes in the parent,
so a worker killed while writing an answer leaves the parent waiting forever for the
rest of a message no one will write (CPython 3.11 hung so in our crash test). Here the
parent holds only its own end of one socket pair: the worker's death is an end of file,
at once, whatever it was doing.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from multiprocessing.connection import Connection

from .direct_encoder import DirectEncoder, EncodedRow
from .storage import EventRow

MIN_ROWS = 200
"""Batches smaller than this are encoded in-process: live batches of a few events would
only wait on the round trip."""

ANSWER_TIMEOUT_S = 120.0
"""A batch's encoding takes well under a second; a worker silent this long is stuck, and
is killed so that the integrator can go on."""

_STOP_TIMEOUT_S = 5.0

Encodings = list[EncodedRow | None]
_Answer = tuple[bool, "Encodings | BaseException"]


class EncodingWorkerDied(RuntimeError):
    """The worker ended (killed, crashed or stuck) before it answered a batch."""


def _serve(conn: Connection, origin: str) -> None:
    """The worker: answer each ``(rows, first)`` request in order, until told to stop."""
    encoder = DirectEncoder(origin)
    conn.send(os.getpid())  # tells the parent the worker is ready
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        rows, first = request
        answer: _Answer
        try:
            answer = (True, encoder.encode_rows(rows, first))
        except Exception as error:  # the batch's own failure, raised by the parent
            answer = (False, error)
        try:
            conn.send(answer)
        except Exception as error:  # an exception that cannot be pickled
            conn.send((False, RuntimeError(f"{type(error).__name__}: {error}")))


class _Worker:
    """One worker process, the parent's end of its socket pair, and a thread that
    receives the answers and settles the requests' futures in order."""

    def __init__(self, origin: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_serve, args=(theirs, origin), name="log-encoder", daemon=True
        )
        self.process.start()
        theirs.close()  # the worker's end lives in the worker alone: its death is our EOF
        self.started: Future[int] = Future()
        self._pending: deque[Future[Encodings]] = deque()
        self._lock = threading.Lock()  # the pending futures and whether the worker ended
        self._send_lock = threading.Lock()  # keeps the requests in the order of _pending
        self._ended: EncodingWorkerDied | None = None
        self._receiver = threading.Thread(
            target=self._receive, name="log-encoder-answers", daemon=True
        )
        self._receiver.start()

    def _receive(self) -> None:
        try:
            self.started.set_result(self._conn.recv())
            while True:
                ok, payload = self._conn.recv()
                with self._lock:
                    future = self._pending.popleft()
                if ok:
                    future.set_result(payload)
                else:
                    future.set_exception(payload)
        except (EOFError, OSError):
            self.process.join(_STOP_TIMEOUT_S)
            self._end(f"the encoding worker ended (exit code {self.process.exitcode})")
        except Exception as error:  # an answer that cannot be read: the stream is lost
            self.process.kill()
            self.process.join(_STOP_TIMEOUT_S)
            self._end(f"an answer of the encoding worker could not be read: {error!r}")

    def _end(self, reason: str) -> None:
        """Fail the start, if pending, and every request not yet answered."""
        error = EncodingWorkerDied(reason)
        with self._lock:
            self._ended = self._ended or error
            pending, self._pending = list(self._pending), deque()
            if not self.started.done():
                self.started.set_exception(error)
        for future in pending:
            future.set_exception(error)

    def submit(self, rows: Sequence[EventRow], first: int, timeout: float) -> Future[Encodings]:
        future: Future[Encodings] = Future()
        with self._send_lock:
            with self._lock:
                if self._ended is not None:
                    raise self._ended
                self._pending.append(future)
            # A stopped worker reads nothing: a large batch fills the socket and the send
            # would wait for ever. Past `timeout` the worker is killed, which ends the send.
            watchdog = threading.Timer(timeout, self.kill)
            watchdog.daemon = True
            watchdog.start()
            try:
                self._conn.send((rows, first))
            except OSError:
                # The worker died; the receiver fails this future with the others.
                self.kill()
            finally:
                watchdog.cancel()
        return future

    def kill(self) -> None:
        self.process.kill()

    def close(self) -> None:
        """Ask the worker to stop; kill it if it does not; wait for both threads of
        control to end (each wait is bounded)."""
        if self._send_lock.acquire(timeout=_STOP_TIMEOUT_S):  # a send may be stuck
            try:
                self._conn.send(None)
            except OSError:
                pass  # already gone
            finally:
                self._send_lock.release()
        self.process.join(_STOP_TIMEOUT_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(_STOP_TIMEOUT_S)
        self._receiver.join(_STOP_TIMEOUT_S)
        self._end("the encoding worker was stopped")
        self._conn.close()


class EncodingPool:
    """One worker process that runs ``DirectEncoder.encode_rows`` for large batches.

    Args:
        origin: The log's origin (the worker builds its own ``DirectEncoder``).
        min_rows: Batches of fewer rows are not sent to the worker.
        answer_timeout: Seconds to wait for a batch before the worker counts as stuck.
    """

    def __init__(
        self, origin: str, *, min_rows: int = MIN_ROWS, answer_timeout: float = ANSWER_TIMEOUT_S
    ) -> None:
        self.origin, self.min_rows, self.answer_timeout = origin, min_rows, answer_timeout
        self._lock = threading.Lock()
        self._worker: _Worker | None = None

    def submit(self, rows: Sequence[EventRow], first: int) -> Callable[[], Encodings] | None:
        """Send ``rows`` to the worker, if they are many and the worker is running.

        Starts the worker on the first large batch. Returns a call that waits for the
        encodings (and raises what the worker raised, or ``EncodingWorkerDied``), or
        None when the caller should encode in-process.
        """
        if len(rows) < self.min_rows:
            return None
        worker = self._start()
        if not worker.started.done():
            return None  # encode in-process while the worker starts
        try:
            worker.started.result()
            future = worker.submit(rows, first, self.answer_timeout)
        except EncodingWorkerDied:
            self._discard(worker)
            raise
        return lambda: self._result(worker, future)

    def _start(self) -> _Worker:
        with self._lock:
            if self._worker is None:
                self._worker = _Worker(self.origin)
            return self._worker

    def start(self, timeout: float | None = None) -> int:
        """Start the worker now, if it is not running, and wait until it runs.

        Returns:
            The worker's process id.
        """
        worker = self._start()
        try:
            return worker.started.result(timeout)
        except EncodingWorkerDied:
            self._discard(worker)
            raise

    def _result(self, worker: _Worker, future: Future[Encodings]) -> Encodings:
        try:
            return future.result(self.answer_timeout)
        except EncodingWorkerDied:
            self._discard(worker)
            raise
        except TimeoutError:
            worker.kill()
            self._discard(worker)
            raise EncodingWorkerDied(
                f"the encoding worker did not answer within {self.answer_timeout:g} s"
            ) from None

    def _discard(self, worker: _Worker) -> None:
        """Forget a dead worker, so that the next large batch starts a new one."""
        with self._lock:
            if self._worker is worker:
                self._worker = None
        worker.close()

    def worker_pid(self) -> int | None:
        """The worker's process id once it runs (tests kill it), else None."""
        worker = self._worker
        if worker is None or not worker.started.done() or worker.started.exception():
            return None
        return worker.started.result()

    def close(self) -> None:
        """Stop the worker and wait for it; a later large batch starts a new one."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()
