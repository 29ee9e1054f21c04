"""A Merkle tree kept as stored hashes: O(log n) reads per root or proof, free of I/O.

Every complete, aligned subtree of ``2**level`` leaves, the ``index``-th at its level, has
its hash stored once, at the storage index ``stored_hash_index(level, index)``. Appending
leaf ``n`` stores its leaf hash and the hash of every subtree that leaf completes
(``stored_hashes_for_append``), so storage indexes grow contiguously from 0 and a tree of
``n`` leaves holds ``stored_hash_count(n)`` hashes. Any range of leaves that occurs in the
RFC 9162 recursion is a run of such subtrees, so a root or a proof needs O(log n) stored
hashes, fetched in a single call of a ``HashReader`` that storage supplies (or, for
asynchronous storage, fetched by the caller from a ``HashPlan``). The proofs equal those
of ``coordination.audit.merkle``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .merkle import EMPTY_ROOT, _is_hash, _split, node_hash

HashReader = Callable[[Sequence[int]], Sequence[bytes]]
"""Returns the stored hashes at the given storage indexes, in the same order."""


class StoredHashError(ValueError):
    """A ``HashReader`` answered with the wrong number of hashes or a malformed hash."""


def stored_hash_count(size: int) -> int:
    """How many hashes a tree of ``size`` leaves has stored: ``2 * size - popcount(size)``."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return 2 * size - size.bit_count()


def stored_hash_index(level: int, n: int) -> int:
    """The storage index of the hash of the ``n``-th complete subtree of ``2**level`` leaves.

    That subtree is completed by leaf ``x = (n + 1) * 2**level - 1``, which stores its
    hashes after the ``stored_hash_count(x)`` of the leaves before it, level 0 first.
    """
    if level < 0 or n < 0:
        raise ValueError(f"no subtree at level {level}, index {n}")
    return stored_hash_count(((n + 1) << level) - 1) + level


def _subtrees(lo: int, hi: int) -> list[tuple[int, int]]:
    """The complete aligned subtrees ``(level, index)`` covering leaves ``lo..hi-1``.

    For ranges of the RFC recursion, ``lo`` is aligned to a power of two at least the
    range's size, so these are the range's binary digits, largest first: exactly the
    subtrees the RFC splits it into.
    """
    pieces = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo:
            level = min(level, (lo & -lo).bit_length() - 1)
        pieces.append((level, lo >> level))
        lo += 1 << level
    return pieces


@dataclass(frozen=True)
class HashPlan:
    """The stored hashes a computation needs, and the computation.

    The ``tree_hash``/``prove_*``/``stored_hashes_for_*`` functions run a plan with a
    synchronous ``HashReader``; asynchronous storage fetches ``indexes`` itself and
    calls ``finish``.
    """

    indexes: tuple[int, ...]
    _combine: Callable[[list[bytes]], list[bytes]] = field(repr=False, compare=False)

    def finish(self, hashes: Sequence[bytes]) -> list[bytes]:
        """The result, from the stored hashes at ``indexes``, in that order.

        Raises:
            StoredHashError: Not one 32-byte hash per index.
        """
        hashes = list(hashes)
        if len(hashes) != len(self.indexes) or not all(_is_hash(h) for h in hashes):
            raise StoredHashError(
                f"needed {len(self.indexes)} stored hashes of 32 bytes, got a malformed answer"
            )
        return self._combine(hashes)

    def run(self, read: HashReader) -> list[bytes]:
        """The result, reading the stored hashes with one call of ``read`` (none if none)."""
        return self.finish(read(self.indexes) if self.indexes else [])


def _plan_ranges(ranges: Sequence[tuple[int, int]]) -> HashPlan:
    """Plan ``MTH`` of each leaf range from the stored hashes of its subtrees."""
    runs = [_subtrees(lo, hi) for lo, hi in ranges]

    def combine(stored: list[bytes]) -> list[bytes]:
        hashes, start = [], 0
        for run in runs:
            run_hashes, start = stored[start : start + len(run)], start + len(run)
            # The RFC tree puts the largest subtree left of the hash of the rest.
            h = run_hashes[-1]
            for left in reversed(run_hashes[:-1]):
                h = node_hash(left, h)
            hashes.append(h)
        return hashes

    indexes = tuple(stored_hash_index(level, k) for run in runs for level, k in run)
    return HashPlan(indexes, combine)


def plan_append(n: int, leaf_hashes: Sequence[bytes]) -> HashPlan:
    """Plan the hashes to store when leaves ``n, n+1, ...`` are appended to a tree of size ``n``.

    The result goes to storage indexes ``stored_hash_count(n)`` onwards, in its order.

    Raises:
        ValueError: ``n`` is negative or a leaf hash is not 32 bytes.
    """
    if n < 0 or not all(_is_hash(h) for h in leaf_hashes):
        raise ValueError("need a tree size >= 0 and 32-byte leaf hashes")
    end = n + len(leaf_hashes)
    # The tree of n leaves ends in one complete subtree per 1-bit of n (its right
    # frontier). The batch merges the one of level L into a larger subtree only if it
    # crosses the next multiple of 2**(L + 1), so it reads those: the lowest levels.
    levels = [
        level
        for level in range(n.bit_length() - 1, -1, -1)
        if n >> level & 1 and end >> (level + 1) > n >> (level + 1)
    ]
    indexes = tuple(stored_hash_index(level, (n >> level) - 1) for level in levels)

    def combine(stored: list[bytes]) -> list[bytes]:
        # The frontier as a stack, lowest level on top. Leaf x completes one subtree per
        # trailing 1-bit of x, level by level: each is the hash of the stack's top (its
        # left half) and the subtree completed just before (its right half).
        frontier = list(stored)
        pop, push = frontier.pop, frontier.append
        new: list[bytes] = []
        add = new.append
        for x, leaf in enumerate(leaf_hashes, n):
            h = leaf
            add(h)
            for _ in range((x ^ (x + 1)).bit_length() - 1):
                h = node_hash(pop(), h)
                add(h)
            push(h)
        return new

    return HashPlan(indexes, combine)


def plan_tree_hash(size: int) -> HashPlan:
    """Plan the root hash of the tree of ``size`` leaves (a one-element result)."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if size == 0:
        return HashPlan((), lambda _: [EMPTY_ROOT])
    return _plan_ranges([(0, size)])


def plan_inclusion(index: int, size: int) -> HashPlan:
    """Plan the RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size``.

    Raises:
        ValueError: The index is not in the tree.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    # Walk down from the root; the sibling of every node on the way is one proof hash.
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return _plan_ranges(ranges[::-1])


def plan_consistency(m: int, n: int) -> HashPlan:
    """Plan the RFC 9162 consistency proof from size ``m`` to size ``n``.

    Raises:
        ValueError: Not ``0 <= m <= n``.
    """
    if not 0 <= m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    if m in (0, n):
        return _plan_ranges([])
    # SUBPROOF(m, D[lo:hi], complete) of RFC 9162 §2.1.4.1, unrolled top-down.
    ranges = []
    lo, hi, complete = 0, n, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            complete = False
    if not complete:
        ranges.append((lo, hi))
    return _plan_ranges(ranges[::-1])


def stored_hashes_for_leaves(n: int, leaf_hashes: Sequence[bytes], read: HashReader) -> list[bytes]:
    """The hashes to store when leaves ``n, n+1, ...`` are appended (see ``plan_append``)."""
    return plan_append(n, leaf_hashes).run(read)


def stored_hashes_for_append(n: int, leaf_hash: bytes, read: HashReader) -> list[bytes]:
    """The hashes to store at ``stored_hash_count(n)`` onwards when leaf ``n`` is appended."""
    return plan_append(n, [leaf_hash]).run(read)


def tree_hash(size: int, read: HashReader) -> bytes:
    """The root hash of the tree of ``size`` leaves, from stored hashes."""
    return plan_tree_hash(size).run(read)[0]


def prove_inclusion(index: int, size: int, read: HashReader) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in a tree of ``size``, from stored hashes."""
    return plan_inclusion(index, size).run(read)


def prove_consistency(m: int, n: int, read: HashReader) -> list[bytes]:
    """The RFC 9162 consistency proof from size ``m`` to size ``n``, from stored hashes."""
    return plan_consistency(m, n).run(read)


class MemoryHashStore:
    """Stored hashes kept in a list: the reference store for tests and tools."""

    def __init__(self) -> None:
        self._hashes: list[bytes] = []
        self.size = 0
        self.read_calls = 0
        self.hashes_read = 0

    def read(self, indexes: Sequence[int]) -> list[bytes]:
        """The stored hashes at ``indexes`` (a ``HashReader``); counts calls and hashes."""
        self.read_calls += 1
        self.hashes_read += len(indexes)
        if not all(0 <= i < len(self._hashes) for i in indexes):
            raise IndexError("storage index not stored")
        return [self._hashes[i] for i in indexes]

    def append(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append leaves, given by their leaf hashes."""
        self._hashes.extend(stored_hashes_for_leaves(self.size, leaf_hashes, self.read))
        self.size += len(leaf_hashes)
