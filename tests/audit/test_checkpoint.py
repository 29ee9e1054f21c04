"""Checkpoints: strict parsing, signing and opening, and refusal of tampered ones."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordination.audit.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    sign_checkpoint,
)
from coordination.audit.merkle import EMPTY_ROOT, leaf_hash
from coordination.audit.note import (
    BadSignatureError,
    Signer,
    UnknownKeyError,
    Verifier,
    sign_note,
)

LOG = Signer.generate("example.org/coordination/log")
ROOT = leaf_hash(b"root")
ROOT64 = base64.b64encode(ROOT).decode()
URL_SAFE_ROOT64 = base64.urlsafe_b64encode(bytes([0xFF] * 32)).decode()

lines = st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1)


@given(
    lines,
    st.integers(0, MAX_TREE_SIZE),
    st.binary(min_size=32, max_size=32),
    st.lists(lines, max_size=3).map(tuple),
)
def test_text_round_trips(origin: str, size: int, root: bytes, extensions: tuple[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, extensions)
    assert Checkpoint.parse(checkpoint.to_text()) == checkpoint


def test_text_format() -> None:
    checkpoint = Checkpoint("example.org/log", 20852163, ROOT)
    assert checkpoint.to_text() == f"example.org/log\n20852163\n{ROOT64}\n"
    assert Checkpoint.parse(f"o\n0\n{base64.b64encode(EMPTY_ROOT).decode()}\n").size == 0
    assert Checkpoint.parse(f"o\n1\n{ROOT64}\next 1\next 2\n").extensions == ("ext 1", "ext 2")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"o\n1\n{ROOT64}", "newline"),
        ("o\n1\n", "three lines"),
        (f"\n1\n{ROOT64}\n", "origin is empty"),
        (f"o\n01\n{ROOT64}\n", "leading 0"),
        (f"o\n00\n{ROOT64}\n", "leading 0"),
        (f"o\n-1\n{ROOT64}\n", "decimal"),
        (f"o\n+1\n{ROOT64}\n", "decimal"),
        (f"o\n 1\n{ROOT64}\n", "decimal"),
        (f"o\n1.0\n{ROOT64}\n", "decimal"),
        (f"o\n\u0661\n{ROOT64}\n", "decimal"),
        (f"o\n{MAX_TREE_SIZE + 1}\n{ROOT64}\n", "decimal"),
        (f"o\n{'9' * 5000}\n{ROOT64}\n", "decimal"),
        (f"o\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
        (f"o\n1\n{base64.b64encode(ROOT + b'x').decode()}\n", "33 bytes"),
        (f"o\n1\n{ROOT64.rstrip('=')}\n", "base64"),
        (f"o\n1\n{ROOT64[:-2]}B=\n", "canonical"),
        (f"o\n1\n{URL_SAFE_ROOT64}\n", "base64"),
        (f"o\n1\n{ROOT64}\n\n", "extension line is empty"),
        (f"o\n1\n{ROOT64}\na\tb\n", "control character"),
    ],
)
def test_malformed_texts_are_refused(text: str, problem: str) -> None:
    with pytest.raises(CheckpointError, match=problem):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [("", 1, ROOT), ("a\nb", 1, ROOT), ("o", -1, ROOT), ("o", True, ROOT), ("o", 1, ROOT[:5])],
)
def test_invalid_values_are_refused(origin: str, size: int, root: bytes) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root)


def test_sign_and_open() -> None:
    checkpoint = Checkpoint(LOG.name, 7, ROOT, ("opaque extension",))
    note = sign_checkpoint(checkpoint, LOG)
    assert note.startswith(checkpoint.to_text() + "\n\u2014 ")
    assert open_checkpoint(note, LOG.verifier, origin=LOG.name) == checkpoint


def test_signed_by_another_key_is_refused(vectors: dict[str, Any]) -> None:
    vector_log = Verifier.from_vkey(vectors["vkey"])
    impostor = Signer.generate(vectors["origin"])
    forged = sign_checkpoint(Checkpoint(vectors["origin"], 41, ROOT), impostor)
    with pytest.raises(UnknownKeyError):
        open_checkpoint(forged, vector_log)
    with pytest.raises(UnknownKeyError):
        open_checkpoint(vectors["checkpoint"], LOG.verifier)


def test_modified_body_is_refused(vectors: dict[str, Any]) -> None:
    vector_log = Verifier.from_vkey(vectors["vkey"])
    original = vectors["checkpoint"]
    for modified in (
        original.replace("\n40\n", "\n41\n"),
        original.replace("/log\n", "/log2\n", 1),
        original.replace("2/vT", "3/vT"),
    ):
        assert modified != original
        with pytest.raises(BadSignatureError):
            open_checkpoint(modified, vector_log)


def test_wrong_origin_or_text_is_refused() -> None:
    note = sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), LOG)
    with pytest.raises(CheckpointError, match="not"):
        open_checkpoint(note, LOG.verifier, origin=LOG.name)
    with pytest.raises(CheckpointError):
        open_checkpoint(sign_note("hello\n", LOG), LOG.verifier)
