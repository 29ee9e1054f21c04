"""Properties of the Merkle tree: both proof paths agree, proofs verify, alterations fail.

Sizes up to ``SMALL`` are checked exhaustively (every index, every pair m <= n); every size
up to ``LARGE`` at the indexes where the tree's shape changes; and any of them by hypothesis.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.audit.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from coordination.audit.stored import (
    MemoryHashStore,
    StoredHashError,
    plan_append,
    plan_consistency,
    plan_inclusion,
    plan_tree_hash,
    prove_consistency,
    prove_inclusion,
    stored_hash_count,
    stored_hash_index,
    stored_hashes_for_append,
    tree_hash,
)

SMALL = 48
LARGE = 300
LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(LARGE)]
STORE = MemoryHashStore()
STORE.append(LEAVES)
ROOTS = [tree_hash(size, STORE.read) for size in range(LARGE + 1)]
OTHER = leaf_hash(b"not in the log")


def _altered(proof: Sequence[bytes]) -> Iterator[list[bytes]]:
    """Every proof one alteration away: a flipped bit, a dropped or an extra hash."""
    for i, h in enumerate(proof):
        flipped = bytearray(h)
        flipped[i % len(h)] ^= 1 << (i % 8)
        yield [*proof[:i], bytes(flipped), *proof[i + 1 :]]
        yield [*proof[:i], *proof[i + 1 :]]
    for i in range(len(proof) + 1):
        yield [*proof[:i], OTHER, *proof[i:]]
    if proof:
        yield [*proof, proof[-1]]
        yield [proof[0], *proof]


def _check_inclusion(index: int, size: int) -> None:
    proof = inclusion_proof(index, size, LEAVES)
    assert prove_inclusion(index, size, STORE.read) == proof
    leaf, root = LEAVES[index], ROOTS[size]
    assert verify_inclusion(leaf, index, size, proof, root)
    for altered in _altered(proof):
        assert not verify_inclusion(leaf, index, size, altered, root)
    assert not verify_inclusion(OTHER, index, size, proof, root)
    for other_index in (index - 1, index + 1, size):
        assert not verify_inclusion(leaf, other_index, size, proof, root)
    for other_size in (size - 1, size + 1):
        if 0 < other_size <= LARGE:
            assert not verify_inclusion(leaf, index, other_size, proof, ROOTS[other_size])


def _check_consistency(m: int, n: int) -> None:
    proof = consistency_proof(m, n, LEAVES)
    assert prove_consistency(m, n, STORE.read) == proof
    assert verify_consistency(m, n, ROOTS[m], ROOTS[n], proof)
    for altered in _altered(proof):
        assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], altered)
    for other_m, other_n in ((m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1)):
        # The empty proof is genuine for every (0, n) and (n, n): skip those.
        if 0 < other_m < other_n <= LARGE:
            assert not verify_consistency(other_m, other_n, ROOTS[other_m], ROOTS[other_n], proof)
    if 0 < m < n:
        assert not verify_consistency(m, n, ROOTS[m - 1], ROOTS[n], proof)
        assert not verify_consistency(m, n, ROOTS[m], ROOTS[n - 1], proof)


def test_roots_agree_and_empty_tree() -> None:
    assert (
        ROOTS[0]
        == root_hash([])
        == EMPTY_ROOT
        == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    )
    assert ROOTS[1] == LEAVES[0]
    assert ROOTS[3] == node_hash(node_hash(LEAVES[0], LEAVES[1]), LEAVES[2])
    for size in range(LARGE + 1):
        assert root_hash(LEAVES[:size]) == ROOTS[size]


def test_inclusion_small_sizes_exhaustively() -> None:
    for size in range(1, SMALL + 1):
        for index in range(size):
            _check_inclusion(index, size)


def test_consistency_small_sizes_exhaustively() -> None:
    for n in range(SMALL + 1):
        for m in range(n + 1):
            _check_consistency(m, n)


def _edges(n: int) -> set[int]:
    """Indexes in 0..n-1 where the shape changes: both ends, the middle, the root's split."""
    split = 1 << ((n - 1).bit_length() - 1) if n > 1 else 0
    return {i for i in (0, 1, n // 2, split - 1, split, n - 2, n - 1) if 0 <= i < n}


def test_every_size_at_its_edges() -> None:
    for n in range(1, LARGE + 1):
        for i in _edges(n):
            _check_inclusion(i, n)
            _check_consistency(i + 1, n)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_inclusion_sampled(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, LARGE), label="size")
    _check_inclusion(data.draw(st.integers(0, size - 1), label="index"), size)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_consistency_sampled(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, LARGE), label="n")
    _check_consistency(data.draw(st.integers(0, n), label="m"), n)


def test_trivial_consistency() -> None:
    assert consistency_proof(5, 5, LEAVES) == prove_consistency(5, 5, STORE.read) == []
    assert consistency_proof(0, 5, LEAVES) == prove_consistency(0, 5, STORE.read) == []
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    assert not verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[4], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[5], [OTHER])
    assert not verify_consistency(6, 5, ROOTS[6], ROOTS[5], [])
    assert not verify_consistency(-1, 5, EMPTY_ROOT, ROOTS[5], [])


def test_malformed_hashes_do_not_verify() -> None:
    proof = inclusion_proof(2, 7, LEAVES)
    assert not verify_inclusion(LEAVES[2], 2, 7, [*proof[:-1], proof[-1][:31]], ROOTS[7])
    assert not verify_inclusion(LEAVES[2][:31], 2, 7, proof, ROOTS[7])
    assert not verify_inclusion(LEAVES[2], 2, 7, proof, ROOTS[7] + b"\0")
    assert not verify_inclusion(LEAVES[0], -1, 7, proof, ROOTS[7])
    proof = consistency_proof(3, 7, LEAVES)
    assert not verify_consistency(3, 7, ROOTS[3], ROOTS[7], [*proof[:-1], proof[-1] + b"\0"])
    assert not verify_consistency(3, 7, ROOTS[3][:31], ROOTS[7], proof)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (-1, 3), (3, 3), (5, 3), (0, LARGE + 1)])
def test_inclusion_out_of_range_is_refused(index: int, size: int) -> None:
    with pytest.raises(ValueError):
        inclusion_proof(index, size, LEAVES)
    if size <= LARGE:
        with pytest.raises(ValueError):
            prove_inclusion(index, size, STORE.read)


@pytest.mark.parametrize(("m", "n"), [(-1, 3), (4, 3), (1, LARGE + 1)])
def test_consistency_out_of_range_is_refused(m: int, n: int) -> None:
    with pytest.raises(ValueError):
        consistency_proof(m, n, LEAVES)
    if n <= LARGE:
        with pytest.raises(ValueError):
            prove_consistency(m, n, STORE.read)


def test_stored_hash_indexes_are_dense_and_unique() -> None:
    for size in range(LARGE + 1):
        indexes = [
            stored_hash_index(level, k)
            for level in range(size.bit_length())
            for k in range(size >> level)
        ]
        assert sorted(indexes) == list(range(stored_hash_count(size)))
    assert [stored_hash_index(0, k) for k in range(4)] == [0, 1, 3, 4]
    assert [stored_hash_index(1, 0), stored_hash_index(1, 1), stored_hash_index(2, 0)] == [2, 5, 6]


def test_stored_hashes_are_the_subtree_roots() -> None:
    for level in range(LARGE.bit_length()):
        for k in range(LARGE >> level):
            subtree = LEAVES[k << level : (k + 1) << level]
            assert STORE.read([stored_hash_index(level, k)]) == [root_hash(subtree)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=12))
def test_batched_appends_store_the_same_hashes(batches: list[int]) -> None:
    store = MemoryHashStore()
    for length in batches:
        store.append(LEAVES[store.size : store.size + length])
    size = store.size
    assert store.read(range(stored_hash_count(size))) == STORE.read(range(stored_hash_count(size)))


@pytest.mark.parametrize("size", [1, 2, 3, 255, 256, 257, 1023, 1024, 1025, 3000])
def test_proofs_read_few_hashes_in_one_call(size: int) -> None:
    store = MemoryHashStore()
    store.append([leaf_hash(i.to_bytes(4, "big")) for i in range(size)])
    bound = 2 * size.bit_length()
    for prove in (
        lambda: tree_hash(size, store.read),
        lambda: prove_inclusion(0, size, store.read),
        lambda: prove_inclusion(size - 1, size, store.read),
        lambda: prove_inclusion(size // 3, size, store.read),
        lambda: prove_consistency(1, size, store.read),
        lambda: prove_consistency(min(3, size), size, store.read),
        lambda: prove_consistency(size // 2 + 1, size, store.read),
        lambda: prove_consistency(size - 1, size, store.read),
        lambda: stored_hashes_for_append(size, OTHER, store.read),
    ):
        store.read_calls = store.hashes_read = 0
        prove()
        assert store.read_calls <= 1
        assert store.hashes_read <= bound


def test_plans_let_storage_fetch_the_hashes_itself() -> None:
    def fetched(indexes: tuple[int, ...]) -> list[bytes]:
        return [STORE.read([i])[0] for i in indexes]

    plan = plan_inclusion(17, 250)
    assert plan.finish(fetched(plan.indexes)) == inclusion_proof(17, 250, LEAVES)
    plan = plan_consistency(77, 250)
    assert plan.finish(fetched(plan.indexes)) == consistency_proof(77, 250, LEAVES)
    plan = plan_tree_hash(250)
    assert plan.finish(fetched(plan.indexes)) == [ROOTS[250]]
    plan = plan_append(250, LEAVES[250:260])
    expected = STORE.read(range(stored_hash_count(250), stored_hash_count(260)))
    assert plan.finish(fetched(plan.indexes)) == expected
    assert plan_tree_hash(0).finish([]) == [EMPTY_ROOT]
    with pytest.raises(StoredHashError):
        plan.finish(fetched(plan.indexes)[1:])


def test_a_faulty_store_is_detected() -> None:
    with pytest.raises(StoredHashError):
        tree_hash(5, lambda indexes: [b"short"] * len(indexes))
    with pytest.raises(StoredHashError):
        prove_inclusion(1, 5, lambda indexes: [LEAVES[0]])
    with pytest.raises(ValueError):
        stored_hashes_for_append(3, b"short", STORE.read)
