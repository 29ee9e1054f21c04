"""Whether the node's PostgreSQL server takes connections, as this process last found it.

While the server is up nothing here costs a round trip: callers read one attribute.
When a connection fails in a way that may be the server's (the connection was lost, none
could be made, the pool had none to give), one probe decides: a new connection, made
with the URL's connect timeout. If it cannot be made, the database is *down*: the event
store's datastore and the GraphQL endpoint refuse at once (`DatabaseUnavailable`,
UNAVAILABLE) instead of waiting for a pool that cannot fill, and a thread probes every
`PROBE_INTERVAL_S` until a connection is made again. Then, before requests are let
through, the write side drops the pooled connections the outage broke, so that the first
commands after it do not meet them (docs/decisions/0025-database-outages.md).

SQLite has no server to lose: its `Availability` has no probe and is never down.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import weakref
from collections.abc import Callable

import psycopg
from eventsourcing.persistence import PersistenceError

log = logging.getLogger(__name__)

#: Seconds between probes while the database is down: the node serves again within
#: about this long of its return.
PROBE_INTERVAL_S = 0.5
#: What clients are told to wait (HTTP `Retry-After`, whole seconds): a probe or two.
RETRY_AFTER_S = 1
#: Error classes (SQLSTATE) that say the server is gone or takes no sessions: class 08
#: (connection exceptions), too many connections, and the operator's interventions that
#: end sessions (admin and crash shutdown, cannot connect now); not 57014, a cancelled
#: statement.
_CONNECTION_STATES = ("08", "53300", "57P01", "57P02", "57P03")


class DatabaseUnavailable(PersistenceError):
    """The database cannot be reached now; the message says why (in the driver's words).

    A `PersistenceError`, but neither of the two the library retries: an outage is not
    waited out request by request.
    """


def is_connection_failure(error: BaseException | None) -> bool:
    """Whether the database could not be reached, by `error` or anything in its chain
    (causes and contexts): the connection failed, not a statement or the data."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _is_connection_failure(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _is_connection_failure(error: BaseException) -> bool:
    # Refused, reset, timed out, a host name that does not resolve; a bare OSError is
    # asyncio's when every address of a host refused. Not a file's errors.
    if isinstance(error, DatabaseUnavailable | ConnectionError | TimeoutError | socket.gaierror):
        return True
    if type(error) is OSError:
        return True
    state = getattr(error, "sqlstate", None)  # asyncpg's and psycopg's errors alike
    if isinstance(state, str):
        return state.startswith(_CONNECTION_STATES)
    # psycopg's own, with no state from a server: the connection broke or could not be
    # made (a pool's timeout among them).
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


class Availability:
    """Whether the database takes connections (see the module).

    Args:
        probe: Makes one new connection and closes it; raises when it cannot. None: the
            database is never down (SQLite).
        recover: Run when a probe succeeds after an outage, before requests are let
            through, or after a connection failed while the server takes connections
            (the write side drops the broken connections of its pool); raising counts as
            the database being down.
        interval: Seconds between probes while down.
    """

    def __init__(
        self,
        probe: Callable[[], None] | None = None,
        *,
        recover: Callable[[], None] | None = None,
        interval: float = PROBE_INTERVAL_S,
    ) -> None:
        self._probe, self._recover, self.interval = probe, recover, interval
        #: Monotonic seconds when the outage was noticed; None while the database is up.
        self.down_since: float | None = None
        #: Why the last probe failed, in the driver's words (for logs and `/ready`).
        self.reason = ""
        self._lock = threading.Lock()
        self._prober: threading.Thread | None = None
        self._closed = threading.Event()

    @property
    def down(self) -> bool:
        """Whether requests are refused now: the last probe could not connect."""
        return self.down_since is not None

    def refuse_while_down(self) -> None:
        """Raise `DatabaseUnavailable` while the database is down; else nothing."""
        if self.down_since is not None:
            raise DatabaseUnavailable(f"the database is unavailable: {self.reason}")

    def confirm(self) -> bool:
        """After a failure that may be the server's: probe now, in this thread. True: it
        takes connections, and the failure was one connection's (a server restarted
        between two uses of a pool breaks them all: `recover` drops the others too);
        False: it is down, and a thread now probes until it is back."""
        if self._probe is None:
            return True
        if self.down_since is not None:
            return False
        problem = self._try(self._probe)
        if problem is None and self._recover is not None:
            problem = self._try(self._recover)
        if problem is None:
            return True
        self._went_down(problem)
        return False

    def suspect(self) -> None:
        """Probe in a thread, without waiting (callers on an event loop): if no
        connection can be made, the database is down until one can."""
        if self._probe is not None:
            with self._lock:
                self._start_prober()

    def close(self) -> None:
        """Stop probing (the process is stopping)."""
        self._closed.set()

    def _went_down(self, problem: str) -> None:
        with self._lock:
            self.reason = problem
            if self.down_since is None:
                self.down_since = time.monotonic()
                log.warning(
                    "the database is unavailable (%s): requests are refused until it"
                    " takes connections again",
                    problem,
                )
            self._start_prober()

    def _start_prober(self) -> None:
        """Start the probing thread unless it runs (call with the lock held). It holds
        this object weakly: an availability whose system was dropped (a start that
        failed) is probed no further."""
        if self._prober is None and not self._closed.is_set():
            self._prober = threading.Thread(
                target=_probe_until_up, args=(weakref.ref(self),), name="database-probe"
            )
            self._prober.daemon = True
            self._prober.start()

    def _probe_once(self) -> bool:
        """The prober's look: True while the database is down (to look again)."""
        assert self._probe is not None
        outage = self.down_since
        problem = self._try(self._probe)
        if problem is None and outage is not None and self._recover is not None:
            problem = self._try(self._recover)
        if problem is not None and not self._closed.is_set():
            self._went_down(problem)
            return True
        with self._lock:  # a failure noticed after this starts another thread
            self._prober = None
            if problem is None:
                self.down_since = None
        if outage is not None and problem is None:
            log.info(
                "the database takes connections again after %.1f s: serving requests",
                time.monotonic() - outage,
            )
        return False

    @staticmethod
    def _try(step: Callable[[], None]) -> str | None:
        try:
            step()
        except Exception as error:
            return " ".join(str(error).split())[:300] or type(error).__name__
        return None


def _probe_until_up(ref: weakref.ReferenceType[Availability]) -> None:
    """The probing thread: look, and while the database is down, look again."""
    while (availability := ref()) is not None and availability._probe_once():
        closed, interval = availability._closed, availability.interval
        del availability  # held only while looking
        if closed.wait(interval):
            return
