"""Conformance with an implementation this project did not write.

The vectors (``vectors/tlog-vectors.json``, a copy of ``shared/conformance``) were produced
by Go's ``golang.org/x/mod/sumdb/tlog`` (RFC 6962/9162 tree hashing and proofs) and
``golang.org/x/mod/sumdb/note`` (C2SP signed notes, Ed25519), x/mod 0.7.0.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from coordination.audit.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from coordination.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from coordination.audit.note import Signer, Verifier
from coordination.audit.stored import (
    MemoryHashStore,
    prove_consistency,
    prove_inclusion,
    tree_hash,
)

from .conftest import BUNDLED_VECTORS, VECTORS_NAME, conformance_dir

Vectors = dict[str, Any]


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _hashes(proof: list[str] | None) -> list[bytes]:
    # Go encodes an empty proof as null.
    return [_b64(h) for h in proof or []]


@pytest.fixture(scope="module")
def leaves(vectors: Vectors) -> list[bytes]:
    return [leaf_hash(entry.encode("utf-8")) for entry in vectors["entries"]]


@pytest.fixture(scope="module")
def store(leaves: list[bytes]) -> MemoryHashStore:
    store = MemoryHashStore()
    for leaf in leaves:
        store.append([leaf])
    return store


def _root(vectors: Vectors, size: int) -> bytes:
    return _b64(vectors["roots"][str(size)])


def test_bundled_copy_is_the_shared_file() -> None:
    folder = conformance_dir()
    if folder is None:
        pytest.skip("no shared conformance folder next to the repository")
    assert BUNDLED_VECTORS.read_bytes() == (folder / VECTORS_NAME).read_bytes()


def test_vectors_cover_what_they_claim(vectors: Vectors) -> None:
    n = len(vectors["entries"])
    assert n == 40
    assert len(vectors["inclusion"]) == n * (n + 1) // 2
    assert len(vectors["consistency"]) == n * (n - 1) // 2


def test_leaf_hashes(vectors: Vectors, leaves: list[bytes]) -> None:
    assert leaves == [_b64(h) for h in vectors["leaf_hashes"]]


def test_roots(vectors: Vectors, leaves: list[bytes], store: MemoryHashStore) -> None:
    for size in range(1, len(leaves) + 1):
        assert root_hash(leaves[:size]) == _root(vectors, size), size
        assert tree_hash(size, store.read) == _root(vectors, size), size


def test_inclusion_proofs(vectors: Vectors, leaves: list[bytes], store: MemoryHashStore) -> None:
    for case in vectors["inclusion"]:
        index, size, expected = case["Index"], case["Size"], _hashes(case["Hashes"])
        assert inclusion_proof(index, size, leaves) == expected, (index, size)
        assert prove_inclusion(index, size, store.read) == expected, (index, size)
        assert verify_inclusion(leaves[index], index, size, expected, _root(vectors, size))


def test_consistency_proofs(vectors: Vectors, leaves: list[bytes], store: MemoryHashStore) -> None:
    for case in vectors["consistency"]:
        m, n, expected = case["From"], case["To"], _hashes(case["Hashes"])
        assert consistency_proof(m, n, leaves) == expected, (m, n)
        assert prove_consistency(m, n, store.read) == expected, (m, n)
        assert verify_consistency(m, n, _root(vectors, m), _root(vectors, n), expected)


def test_key_lines_round_trip(vectors: Vectors) -> None:
    signer = Signer.from_skey(vectors["signer_key"])
    assert signer.skey() == vectors["signer_key"]
    assert signer.verifier.vkey == vectors["vkey"]
    assert Verifier.from_vkey(vectors["vkey"]) == signer.verifier


def test_signing_reproduces_the_checkpoint(vectors: Vectors, leaves: list[bytes]) -> None:
    checkpoint = Checkpoint(vectors["origin"], len(leaves), root_hash(leaves))
    signed = sign_checkpoint(checkpoint, Signer.from_skey(vectors["signer_key"]))
    assert signed == vectors["checkpoint"]


def test_checkpoint_opens_with_the_vkey(vectors: Vectors, leaves: list[bytes]) -> None:
    verifier = Verifier.from_vkey(vectors["vkey"])
    checkpoint = open_checkpoint(vectors["checkpoint"], verifier, origin=vectors["origin"])
    assert checkpoint == Checkpoint(vectors["origin"], 40, _root(vectors, 40))
    assert open_checkpoint(vectors["checkpoint"].encode(), [verifier]) == checkpoint
