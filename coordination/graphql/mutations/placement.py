"""Where a command runs: on the event loop's own thread, or in a command thread.

A command is a few milliseconds of Python and a few short database round trips. Run in a
worker thread, it gave up the interpreter lock at every round trip and waited for the
event loop's thread to hand it back; under many writers that handing back was a large
part of a mutation's CPU (decision 17). On the loop's thread there is nothing to
hand back: the command runs to its end while the loop waits, as a fast call does.

That is only safe while nothing the command may wait for needs the loop to finish:

- on SQLite, the read side's one writer connection (the projector's, above all) holds
  the file's write lock across awaits. A command on the loop while such a transaction
  is open would wait for a lock that only the loop can release, so it runs in a thread
  then (`ReadDatabase.writing`);
- a command that turns out slow (a lock held by another process, a database that does
  not answer) holds up every request while it runs. One that stalled for
  `STALL_SECONDS`, or failed for anything but a refusal, sends the next ones to the
  threads for `COOLDOWN_SECONDS`, so a struggling database costs the loop one command,
  not one per request; so do commands that are slow as a rule (their moving average
  over `SLOW_SECONDS`). A single slow one is not enough: with durable commits a commit
  now and then waits tens of milliseconds for the disk, and sending every command to
  the threads for that would give up the gain for half a minute each time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from coordination.persistence.readdb import ReadDatabase

log = logging.getLogger("coordination.graphql.commands")

#: Commands whose moving average on the loop exceeds this go to the threads (well above
#: what a typical one takes: docs/performance.md).
SLOW_SECONDS = 0.02
#: One command that took this long on the loop sends the next ones to the threads.
STALL_SECONDS = 1.0
#: For this long.
COOLDOWN_SECONDS = 30.0
#: The weight of the latest command in the moving average.
_WEIGHT = 0.1


class CommandPlacement:
    """Decides, command by command, whether it may run on the event loop's thread.

    Args:
        db: The read database (on SQLite, whether its writer is in a transaction).
        enabled: False: every command runs in a command thread.
        slow: Seconds of the moving average over which commands count as slow.
        stall: Seconds after which one command counts as stalled.
        cooldown: Seconds during which commands go to the threads after a stalled or
            failed one, or while slow.
        clock: Monotonic seconds.
    """

    def __init__(
        self,
        db: ReadDatabase,
        *,
        enabled: bool = True,
        slow: float = SLOW_SECONDS,
        stall: float = STALL_SECONDS,
        cooldown: float = COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db, self.enabled = db, enabled
        self._slow, self._stall, self._cooldown, self.clock = slow, stall, cooldown, clock
        self._threads_until = float("-inf")
        self._typical = 0.0

    def on_loop(self) -> bool:
        """Whether the next command may run on the event loop's thread now."""
        return self.enabled and self.clock() >= self._threads_until and not self._db.writing()

    def ran_on_loop(self, seconds: float, *, failed: bool) -> None:
        """Record how a command run on the loop went: a stalled or failed one, or slow
        ones as a rule, send the next ones to the threads for a while."""
        self._typical += _WEIGHT * (seconds - self._typical)
        if failed:
            why = "a command on the event loop failed"
        elif seconds > self._stall:
            why = f"a command took {seconds:.1f} s on the event loop"
        elif self._typical > self._slow:
            why = f"commands on the event loop take {1000 * self._typical:.0f} ms on average"
        else:
            return
        log.warning(
            "%s: commands run in command threads for the next %.0f s",
            why,
            self._cooldown,
            extra={"fields": {"cooldown_seconds": self._cooldown, "last_seconds": seconds}},
        )
        self._threads_until = self.clock() + self._cooldown
        self._typical = 0.0  # back on the loop after the cooldown, measured afresh
