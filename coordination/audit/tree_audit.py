"""The stored tree checked against the entries, one range of leaves at a time.

A range ``lo..hi`` of leaves stores the hashes at storage indexes
``stored_hash_count(lo)`` up to ``stored_hash_count(hi)`` (`coordination.audit.stored`):
each leaf's hash and every subtree it completes. Given the tree's frontier at ``lo``
(the hashes of its complete subtrees, which the range builds on) and the leaf hashes of
the range's entries, those hashes are computed again here and compared with the stored
ones; the frontier at ``hi`` comes out for the next range, and the root of any tree size
in the range for its checkpoints. A stored hash that differs is named by the leaves it
covers, once: a parent that differs only because a child does is not named again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .stored import plan_append, plan_tree_hash, stored_hash_count, stored_hash_index

Frontier = dict[int, bytes]
"""Hashes of a tree's complete subtrees by storage index: what a range builds on."""


def frontier_indexes(size: int) -> list[int]:
    """The storage indexes of the complete subtrees that make the tree of ``size`` leaves
    (one per 1-bit of ``size``, the largest first)."""
    return [
        stored_hash_index(level, (size >> level) - 1)
        for level in range(size.bit_length() - 1, -1, -1)
        if size >> level & 1
    ]


def covered_leaves(storage_index: int) -> tuple[int, int]:
    """The first and last leaf of the subtree stored at ``storage_index``."""
    lo, hi = 0, storage_index  # the leaf x that stored it: count(x) <= s < count(x + 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stored_hash_count(mid) <= storage_index:
            lo = mid
        else:
            hi = mid - 1
    level = storage_index - stored_hash_count(lo)
    return lo - (1 << level) + 1, lo


def _children(storage_index: int) -> tuple[int, int] | None:
    first, last = covered_leaves(storage_index)
    if first == last:
        return None
    level = (last - first + 1).bit_length() - 2
    n = first >> level
    return stored_hash_index(level, n), stored_hash_index(level, n + 1)


@dataclass(frozen=True)
class RangeTree:
    """The tree hashes a range of leaves stores, computed from its entries.

    Attributes:
        first: The storage index of the first hash the range stores.
        hashes: The hashes it stores, in storage order.
        known: The frontier before the range and the range's hashes, by storage index.
    """

    first: int
    hashes: list[bytes]
    known: Frontier

    @classmethod
    def build(cls, lo: int, leaves: Sequence[bytes], frontier: Frontier) -> RangeTree:
        """The hashes leaves ``lo, lo + 1, ...`` store on a tree whose frontier at ``lo``
        is ``frontier``."""
        plan = plan_append(lo, leaves)
        hashes = plan.finish([frontier[i] for i in plan.indexes])
        first = stored_hash_count(lo)
        known = dict(frontier)
        known.update(zip(range(first, first + len(hashes)), hashes, strict=True))
        return cls(first, hashes, known)

    def root(self, size: int) -> bytes:
        """The root of the tree of ``size`` leaves, ``size`` at most the range's end."""
        return plan_tree_hash(size).run(lambda indexes: [self.known[i] for i in indexes])[0]

    def frontier(self, size: int) -> Frontier:
        """The frontier at ``size`` (the range's end), for the range after it."""
        return {i: self.known[i] for i in frontier_indexes(size)}

    def differing(self, stored: Sequence[bytes]) -> list[tuple[int, int, int]]:
        """The stored hashes that differ from the computed ones and whose children do
        not: ``(storage index, first leaf, last leaf)`` each."""
        wrong: set[int] = set()
        named = []
        for offset, (ours, theirs) in enumerate(zip(self.hashes, stored, strict=True)):
            if ours == theirs:
                continue
            index = self.first + offset
            wrong.add(index)
            children = _children(index)
            if children is None or not wrong.intersection(children):
                named.append((index, *covered_leaves(index)))
        return named
