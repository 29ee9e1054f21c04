"""How a node's interpreter collects cyclic garbage.

CPython's cyclic collector runs a young collection every 700 net allocations, and every
tenth and hundredth of those walks older generations. A node keeps a large, long-lived
heap (the schema, the aggregate cache, the projector's route and id caches) and
allocates quickly (pages of events, GraphQL results), so with the defaults a catch-up of
the views spent ~15 % of its CPU in collections, and their pauses showed in the tail of
mutations under load (`docs/performance.md`). Reference counting still frees at once
every object that is not part of a cycle; only cyclic garbage waits longer.
"""

from __future__ import annotations

import gc

#: Young collections every 50 000 net allocations instead of 700; the older generations
#: at the defaults' ratios (measured: see the module docstring).
THRESHOLDS = (50_000, 50, 100)


def tune_garbage_collection() -> None:
    """Apply `THRESHOLDS` to this process (the command line and every worker do)."""
    gc.set_threshold(*THRESHOLDS)
