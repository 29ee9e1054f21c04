"""RFC 9162 Merkle tree hashing, proofs and their verification, free of I/O.

Proofs are produced here from a list of leaf hashes, written as the recursive definitions
of RFC 9162 §2.1 to serve as the reference; ``coordination.audit.stored`` produces the
same proofs from hashes kept in storage, reading O(log n) of them per proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """Hash a log entry as a leaf: ``SHA-256(0x00 || entry)``."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``): RFC 9162's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _check_leaves(leaf_hashes: Sequence[bytes], size: int) -> Sequence[bytes]:
    if len(leaf_hashes) < size:
        raise ValueError(f"tree of size {size} needs {size} leaf hashes, got {len(leaf_hashes)}")
    return leaf_hashes[:size]


# Reference implementation: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, over leaf hashes.


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash ``MTH`` of the given leaf hashes (empty tree: SHA-256 of "")."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root_hash(leaf_hashes[:k]), root_hash(leaf_hashes[k:]))


def inclusion_proof(index: int, size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The inclusion proof ``PATH(index, D[0:size])`` of RFC 9162 §2.1.3.1.

    Args:
        index: The leaf to prove, ``0 <= index < size``.
        size: The tree size the proof is for.
        leaf_hashes: At least the first ``size`` leaf hashes of the log.

    Raises:
        ValueError: The index or size is out of range.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")

    def path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
        n = len(leaves)
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, leaves[:k]), root_hash(leaves[k:])]
        return [*path(m - k, leaves[k:]), root_hash(leaves[:k])]

    return path(index, _check_leaves(leaf_hashes, size))


def consistency_proof(m: int, n: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The consistency proof ``PROOF(m, D[0:n])`` of RFC 9162 §2.1.4.1.

    The RFC defines proofs for ``0 < m < n``; ``m == n`` and ``m == 0`` get the empty
    proof, which ``verify_consistency`` accepts for equal roots and the empty tree.

    Raises:
        ValueError: Not ``0 <= m <= n``.
    """
    if not 0 <= m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    if m in (0, n):
        return []

    def subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
        size = len(leaves)
        if m == size:
            return [] if complete else [root_hash(leaves)]
        k = _split(size)
        if m <= k:
            return [*subproof(m, leaves[:k], complete), root_hash(leaves[k:])]
        return [*subproof(m - k, leaves[k:], False), root_hash(leaves[:k])]

    return subproof(m, _check_leaves(leaf_hashes, n), True)


# Verification: the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, step by step.


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows ``leaf_hash`` at ``index`` in the tree ``(size, root)``.

    Args:
        leaf_hash: The hash of the entry, ``leaf_hash(entry)``.
        index: The entry's index in the log.
        size: The size of the tree, from a verified checkpoint.
        proof: The inclusion proof, lowest level first.
        root: The root hash of the tree of ``size``, from the same checkpoint.

    Returns:
        True if the proof verifies; False for every malformed or wrong input.
    """
    if not (_is_hash(leaf_hash) and _is_hash(root) and all(_is_hash(p) for p in proof)):
        return False
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``(n, new_root)`` extends ``(m, old_root)``.

    Beyond the RFC's ``0 < m < n``: a tree is consistent with itself (``m == n``, equal
    roots) and the empty tree (``m == 0``, root ``EMPTY_ROOT``) with every tree, in both
    cases with an empty proof.

    Args:
        m: The size of the older tree.
        n: The size of the newer tree.
        old_root: The root hash of the older tree.
        new_root: The root hash of the newer tree.
        proof: The consistency proof.

    Returns:
        True if the proof verifies; False for every malformed or wrong input.
    """
    if not (_is_hash(old_root) and _is_hash(new_root) and all(_is_hash(p) for p in proof)):
        return False
    if not 0 <= m <= n:
        return False
    if m == n:
        return not proof and old_root == new_root
    if m == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = [old_root, *proof] if m & (m - 1) == 0 else list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
