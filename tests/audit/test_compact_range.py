"""The compact range of a prefix gives the RFC 9162 root of every size, however the
leaves arrive (one by one, in pages), and survives storage."""

from __future__ import annotations

import hashlib

import pytest

from coordination.audit.compact_range import CompactRange, CompactRangeError
from coordination.audit.merkle import EMPTY_ROOT, root_hash


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"%d" % i).digest() for i in range(n)]


def test_the_root_of_every_size_is_the_reference_root() -> None:
    all_leaves = leaves(70)
    grown = CompactRange()
    assert grown.root() == EMPTY_ROOT
    for size in range(1, 71):
        grown = grown.extended([all_leaves[size - 1]])
        assert grown.root() == root_hash(all_leaves[:size])
        assert len(grown.hashes) == bin(size).count("1")


@pytest.mark.parametrize("pages", [(3, 4, 10), (1, 1, 30), (17, 0, 15)])
def test_pages_extend_it_and_storage_keeps_it(pages: tuple[int, ...]) -> None:
    all_leaves = leaves(sum(pages))
    grown, at = CompactRange(), 0
    for count in pages:
        grown = grown.extended(all_leaves[at : at + count])
        at += count
        stored = CompactRange.from_bytes(grown.size, grown.to_bytes())
        assert stored == grown
        assert stored.root() == root_hash(all_leaves[:at])


def test_hashes_that_do_not_fit_the_size_are_refused() -> None:
    with pytest.raises(CompactRangeError, match="has 2 hashes, not 1"):
        CompactRange.from_bytes(3, b"\x00" * 32)
