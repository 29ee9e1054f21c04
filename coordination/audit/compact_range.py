"""The compact range of a log's prefix: the RFC 9162 tree of ``[0, size)`` as the hashes of
its perfect subtrees along the right edge, one per set bit of ``size``, largest first.

A handful of hashes (at most 64) is all a syncing node keeps to extend a peer's tree page
by page and compare its root with a signed checkpoint, without reading back stored leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .merkle import EMPTY_ROOT, HASH_SIZE, node_hash


class CompactRangeError(ValueError):
    """Stored hashes that do not make the compact range of the size they claim."""


@dataclass(frozen=True)
class CompactRange:
    """The subtree hashes of ``[0, size)``; immutable, ``extended`` makes a new one.

    Attributes:
        size: The number of leaves covered.
        hashes: One hash per set bit of ``size``, from the highest bit down.
    """

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise CompactRangeError(
                f"a compact range of {self.size} leaves has {self.size.bit_count()} hashes,"
                f" not {len(self.hashes)}"
            )
        if any(len(h) != HASH_SIZE for h in self.hashes):
            raise CompactRangeError(f"a subtree hash has {HASH_SIZE} bytes")

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> CompactRange:
        """The range as `to_bytes` stored it (its hashes concatenated)."""
        hashes = tuple(blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE))
        return cls(size, hashes)

    def to_bytes(self) -> bytes:
        """The hashes concatenated, for storage."""
        return b"".join(self.hashes)

    def extended(self, leaf_hashes: Iterable[bytes]) -> CompactRange:
        """The range of ``[0, size + n)`` after appending ``n`` leaf hashes."""
        stack = list(self.hashes)
        size = self.size
        for leaf in leaf_hashes:
            h, merged = leaf, size
            # Each trailing set bit of the old size is a subtree the new leaf completes.
            while merged & 1:
                h = node_hash(stack.pop(), h)
                merged >>= 1
            stack.append(h)
            size += 1
        return CompactRange(size, tuple(stack))

    def root(self) -> bytes:
        """The Merkle tree hash of ``[0, size)`` (RFC 9162 §2.1.1)."""
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h
