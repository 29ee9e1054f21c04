"""The checks of ``verify`` that need a whole tree: roots, history and a node's proofs."""

from __future__ import annotations

import random

from ._encoding import b64encode
from .checkpoint import Checkpoint
from .merkle import EMPTY_ROOT, node_hash, verify_consistency, verify_inclusion
from .stored import MemoryHashStore, tree_hash
from .verify_report import Failure, VerifyReport
from .verify_sources import LogSource

HASH = 32


class Frontier:
    """The root of a growing tree from O(log n) subtree hashes (RFC 9162 shape)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []

    def add(self, leaf: bytes) -> None:
        """Append a leaf hash."""
        level, h = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            h = node_hash(self._stack.pop()[1], h)
            level += 1
        self._stack.append((level, h))

    def root(self) -> bytes:
        """The root hash of the leaves added so far."""
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


def localize(
    source: LogSource, leaves: bytearray, checkpoint: Checkpoint, *, start: int = 0
) -> Failure | None:
    """Find, by bisection over the source's consistency proofs, the first entry whose
    prefix of the log is not consistent with the signed root (``leaves``: 32 bytes each,
    at least ``checkpoint.size`` of them); the first ``start`` are known to be sound.
    None when the source serves no proofs."""
    size = checkpoint.size
    store = MemoryHashStore()
    store.append([bytes(leaves[i : i + HASH]) for i in range(0, size * HASH, HASH)])

    def disagrees(m: int) -> bool:
        if m == size:
            return True
        proof = source.consistency_proof(m, size)
        if proof is None:
            raise LookupError
        return not verify_consistency(
            m, size, tree_hash(m, store.read), checkpoint.root_hash, proof
        )

    lo, hi = start + 1, size
    try:
        while lo < hi:
            mid = (lo + hi) // 2
            if disagrees(mid):
                hi = mid
            else:
                lo = mid + 1
    except LookupError:
        return None
    return Failure(
        lo - 1,
        "it does not match the signed tree (the entries before it do): it or its leaf hash"
        " was altered",
    )


def proof_sizes(size: int, earlier: Checkpoint | None) -> set[int]:
    """Tree sizes whose prefix roots ``verify`` keeps, to check consistency proofs from."""
    sizes = {size // 2, 1 << max(0, (size - 1).bit_length() - 1)} if size > 1 else set()
    if earlier is not None:
        sizes.add(earlier.size)
    return {m for m in sizes if 0 < m <= size}


def check_earlier(
    source: LogSource,
    report: VerifyReport,
    checkpoint: Checkpoint,
    earlier: Checkpoint,
    recomputed: bytes,
) -> None:
    """Check the log extends ``earlier``: by the ``recomputed`` root of its first
    ``earlier.size`` entries and, where the source serves one, by its consistency proof."""
    if recomputed != earlier.root_hash:
        report.failures.append(
            Failure(
                None,
                f"the log does not extend the earlier checkpoint: its first {earlier.size}"
                f" entries have root {b64encode(recomputed)}, the earlier checkpoint says"
                f" {b64encode(earlier.root_hash)}",
            )
        )
    proof = source.consistency_proof(earlier.size, checkpoint.size)
    if proof is not None:
        report.proofs_checked += 1
        if not verify_consistency(
            earlier.size, checkpoint.size, earlier.root_hash, checkpoint.root_hash, proof
        ):
            report.failures.append(
                Failure(
                    None,
                    f"the consistency proof from size {earlier.size} to {checkpoint.size} does"
                    " not verify: the two signed trees are not one history",
                )
            )


def check_proofs(
    source: LogSource,
    report: VerifyReport,
    checkpoint: Checkpoint,
    leaves: bytearray,
    prefix_roots: dict[int, bytes],
    sample: int,
    seed: int | None,
) -> None:
    """Check the source's own proofs (a node's stored tree) against the verified entries."""
    size, root = checkpoint.size, checkpoint.root_hash
    if size == 0:
        return
    # A node must not know which proofs will be asked for; a seed is for tests only.
    chooser = random.Random(seed) if seed is not None else random.SystemRandom()  # noqa: S311
    indexes = sorted({0, size - 1, *chooser.sample(range(size), min(sample, size))})
    for index in indexes:
        proof = source.inclusion_proof(index, size)
        if proof is None:
            return
        report.proofs_checked += 1
        leaf = bytes(leaves[index * HASH : (index + 1) * HASH])
        if not verify_inclusion(leaf, index, size, proof, root):
            report.failures.append(
                Failure(
                    index,
                    "the source's inclusion proof for it does not verify: its stored"
                    " tree disagrees with its entries",
                )
            )
    for m, prefix_root in sorted(prefix_roots.items()):
        if not 0 < m < size:
            continue
        proof = source.consistency_proof(m, size)
        if proof is None:
            return
        report.proofs_checked += 1
        if not verify_consistency(m, size, prefix_root, root, proof):
            report.failures.append(
                Failure(
                    None,
                    f"the source's consistency proof from size {m} does not verify:"
                    " its stored tree disagrees with its entries",
                )
            )
