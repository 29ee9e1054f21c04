"""Where a command runs: on the event loop's own thread, or in a command thread.

A command is a few milliseconds of Python and a few short database round trips. Run in a
worker thread, it gave up the interpreter lock at every round trip and waited for the
event loop's thread to hand it back; with 32 writers that handing back cost as much CPU
again as the commands themselves (decision 17). On the loop's thread there is nothing to
hand back: the command runs to its end while the loop waits, as a fast call does.

That is only safe while nothing the command may wait for needs the loop to finish:

- on SQLite, the read side's one writer connection (the projector's, above all) holds
  the file's write lock across awaits. A command on the loop while such a transaction
  is open would wait for a lock that only the loop can release, so it runs in a thread
  then (`ReadDatabase.writing`);
- a command that turns out slow (a lock held by another process, a database that does
  not answer) holds up every request while it runs. One that took longer than
  `SLOW_SECONDS`, or failed for anything but a refusal, sends the next ones to the
  threads for `COOLDOWN_SECONDS`, so a struggling database costs the loop one command,
  not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from coordination.persistence.readdb import ReadDatabase

#: A command that took longer than this on the loop sends the next ones to the threads.
SLOW_SECONDS = 0.05
#: For this long.
COOLDOWN_SECONDS = 30.0


class CommandPlacement:
    """Decides, command by command, whether it may run on the event loop's thread.

    Args:
        db: The read database (on SQLite, whether its writer is in a transaction).
        enabled: False: every command runs in a command thread.
        slow: Seconds after which a command counts as slow.
        cooldown: Seconds during which commands go to the threads after a slow or
            failed one.
        clock: Monotonic seconds.
    """

    def __init__(
        self,
        db: ReadDatabase,
        *,
        enabled: bool = True,
        slow: float = SLOW_SECONDS,
        cooldown: float = COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db, self.enabled = db, enabled
        self._slow, self._cooldown, self.clock = slow, cooldown, clock
        self._threads_until = float("-inf")

    def on_loop(self) -> bool:
        """Whether the next command may run on the event loop's thread now."""
        return self.enabled and self.clock() >= self._threads_until and not self._db.writing()

    def ran_on_loop(self, seconds: float, *, failed: bool) -> None:
        """Record how a command run on the loop went: slow or failed ones cool it off."""
        if failed or seconds > self._slow:
            self._threads_until = self.clock() + self._cooldown
