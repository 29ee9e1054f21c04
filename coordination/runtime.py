"""How a node's interpreter collects cyclic garbage, hands its lock to commands, and
takes the signals that stop it.

CPython's cyclic collector runs a young collection every 700 net allocations, and every
tenth and hundredth of those walks older generations. A node keeps a large, long-lived
heap (the schema, the aggregate cache, the projector's route and id caches) and
allocates quickly (pages of events, GraphQL results), so with the defaults a catch-up of
the views spent a large part of its CPU in collections, and their pauses showed in the
tail of mutations under load (decision 13 has the figures). Reference counting still
frees at once every object that is not part of a cycle; only cyclic garbage waits
longer.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import threading
from collections.abc import Callable, Iterator

#: Young collections every 50 000 net allocations instead of 700; the older generations
#: at the defaults' ratios (measured: decision 13).
THRESHOLDS = (50_000, 50, 100)


def tune_garbage_collection() -> None:
    """Apply `THRESHOLDS` to this process (the command line and every worker do)."""
    gc.set_threshold(*THRESHOLDS)


# -- the interpreter lock while a command runs ------------------------------------------


class _Handoff:
    """Counts the commands running; the first in shortens the interval, the last out
    restores it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.usual = sys.getswitchinterval()

    @contextlib.contextmanager
    def during(self, interval: float) -> Iterator[None]:
        with self.lock:
            if self.running == 0:
                self.usual = sys.getswitchinterval()
                sys.setswitchinterval(interval)
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if self.running == 0:
                    sys.setswitchinterval(self.usual)


_handoff = _Handoff()


def prompt_handoff(interval: float | None) -> contextlib.AbstractContextManager[None]:
    """Let a waiting thread take the interpreter lock within `interval` seconds.

    A command thread gives up the lock at every database round trip and must then wait
    for the event loop's thread to hand it back, which that thread does only every
    switch interval (5 ms) while it is busy with other requests: with readers keeping the
    loop busy, a command of a few round trips took many times its own work (decision 15).
    While any command runs, the interval is `interval`; when the last one ends, it is
    what it was. None leaves the interval alone.
    """
    if interval is None:
        return contextlib.nullcontext()
    return _handoff.during(interval)


# -- the signals that stop a process ---------------------------------------------------

#: What a terminal's Ctrl-C, a service manager or a container runtime sends to stop us.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stop_signals_handled(handler: Callable[[int], None]) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT call `handler` with their number instead of
    ending the process; the handlers found are restored on the way out."""
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        signal.signal(number, lambda number, _frame: handler(number))
    try:
        yield
    finally:
        for number, found in previous.items():
            signal.signal(number, found)
