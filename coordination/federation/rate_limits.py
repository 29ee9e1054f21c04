"""Per-caller rate limits of the feed: a token bucket per caller (a partner, a token, an
anonymous client's address), refilled at `rate` a second up to `burst`. A caller over
its allowance gets 429 with `Retry-After`, the whole seconds until it has one again.

Per process, in memory: N workers let a caller N times the rate at most, which bounds
the load as well as a shared counter would, without a round trip per request.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

#: Buckets kept; past it, those idle long enough to be full again are dropped first.
BUCKETS_MAX = 50_000


class RateLimits:
    """Token buckets by caller.

    Args:
        rate: Requests a second each caller may make, sustained.
        burst: Requests a caller may make at once.
        clock: A monotonic clock in seconds (tests).
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> int | None:
        """Draw one request from `key`'s allowance: None when it may go ahead, else the
        seconds (at least 1) until it may."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil((1 - tokens) / self.rate))
            if key not in self._buckets and len(self._buckets) >= BUCKETS_MAX:
                self._forget_full(now)
            self._buckets[key] = (tokens - 1, now)
            return None

    def _forget_full(self, now: float) -> None:
        refill = self.burst / self.rate
        for key, (_, at) in list(self._buckets.items()):
            if now - at >= refill:
                del self._buckets[key]
        while len(self._buckets) >= BUCKETS_MAX:  # all busy: the longest idle go
            del self._buckets[min(self._buckets, key=lambda k: self._buckets[k][1])]
