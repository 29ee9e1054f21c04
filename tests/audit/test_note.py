"""Signed notes: checked against the C2SP spec independently, and every refusal."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from coordination.audit.note import (
    MAX_SIGNATURES,
    BadSignatureError,
    MalformedKeyError,
    MalformedNoteError,
    NoteError,
    Signer,
    UnknownKeyError,
    Verifier,
    key_id,
    parse_note,
    sign_note,
    verify_note,
)

ALICE = Signer.generate("alice.example/log")
BOB = Signer.generate("bob.example/witness")
TEXT = "first line\n\nafter a blank line\n— not a signature\n"


def spec_verify(note: str, vkey: str) -> str:
    """Verify ``note`` with ``vkey`` straight from c2sp.org/signed-note, sharing no code.

    Returns the note text; raises AssertionError or InvalidSignature when it does not verify.
    """
    # "<name>+<hex key id>+base64(0x01 || 32-byte key)"; names hold no '+'.
    name, hex_id, encoded_key = vkey.split("+", 2)
    key = base64.b64decode(encoded_key, validate=True)
    assert len(key) == 33
    assert key[0] == 0x01
    # key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]
    expected_id = hashlib.sha256(name.encode() + b"\x0a\x01" + key[1:]).digest()[:4]
    assert expected_id.hex() == hex_id

    # Valid UTF-8, no control characters but newline, text separated from the signature
    # lines by the last blank line.
    raw = note.encode("utf-8")
    assert all(byte >= 0x20 or byte == 0x0A for byte in raw)
    split = raw.rindex(b"\n\n")
    text, signature_lines = raw[: split + 1], raw[split + 2 :]
    assert signature_lines.endswith(b"\n")
    verified = False
    for line in signature_lines[:-1].split(b"\n"):
        # em dash (U+2014, UTF-8 e2 80 94), space, key name, space, base64, newline
        assert line.startswith(b"\xe2\x80\x94\x20")
        line_name, encoded = line[4:].split(b"\x20")
        signature = base64.b64decode(encoded, validate=True)
        if line_name == name.encode() and signature[:4] == expected_id:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(signature[4:], text)
            verified = True
    assert verified
    return text.decode("utf-8")


def test_spec_verifies_the_vector_checkpoint(vectors: dict[str, Any]) -> None:
    text = spec_verify(vectors["checkpoint"], vectors["vkey"])
    assert text.startswith(vectors["origin"] + "\n40\n")


def test_spec_verifies_notes_signed_here() -> None:
    note = sign_note(TEXT, ALICE, BOB)
    assert spec_verify(note, ALICE.verifier.vkey) == TEXT
    assert spec_verify(note, BOB.verifier.vkey) == TEXT
    alice_line, bob_line = note.removeprefix(TEXT + "\n").splitlines()
    assert alice_line.startswith(f"\u2014 {ALICE.name} ")
    assert bob_line.startswith(f"\u2014 {BOB.name} ")
    assert len(base64.b64decode(bob_line.split(" ")[2])) == 4 + 64


def test_spec_refuses_an_altered_note() -> None:
    note = sign_note(TEXT, ALICE).replace("first", "First")
    with pytest.raises(InvalidSignature):
        spec_verify(note, ALICE.verifier.vkey)


def test_sign_and_verify() -> None:
    note = sign_note(TEXT, ALICE, BOB)
    assert verify_note(note, ALICE.verifier) == TEXT
    assert verify_note(note.encode(), [BOB.verifier]) == TEXT
    assert verify_note(note, [ALICE.verifier, BOB.verifier]) == TEXT
    text, signatures = parse_note(note)
    assert text == TEXT
    assert [(s.name, s.key_id) for s in signatures] == [
        (ALICE.name, ALICE.key_id),
        (BOB.name, BOB.key_id),
    ]


def test_key_id_follows_the_spec() -> None:
    public_key = ALICE.verifier.public_key
    digest = hashlib.sha256(ALICE.name.encode() + b"\n\x01" + public_key).digest()
    assert key_id(ALICE.name, public_key) == int.from_bytes(digest[:4], "big") == ALICE.key_id


def test_key_lines_round_trip() -> None:
    assert Signer.from_skey(ALICE.skey()) == ALICE
    assert Verifier.from_vkey(ALICE.verifier.vkey) == ALICE.verifier
    assert Verifier.from_vkey(ALICE.verifier.vkey + "\n") == ALICE.verifier
    name, hex_id, key = ALICE.verifier.vkey.split("+", 2)
    assert Verifier.from_vkey(f"{name}+{hex_id.upper()}+{key}") == ALICE.verifier
    assert ALICE.seed.hex() not in repr(ALICE)


def test_unknown_keys_are_ignored_but_one_known_is_needed() -> None:
    note = sign_note(TEXT, BOB)
    with pytest.raises(UnknownKeyError, match="no signature from a known key"):
        verify_note(note, ALICE.verifier)
    impostor = Signer.generate(ALICE.name)  # same name, other key, so other key id
    with pytest.raises(UnknownKeyError):
        verify_note(sign_note(TEXT, impostor), ALICE.verifier)
    assert verify_note(sign_note(TEXT, impostor, ALICE), ALICE.verifier) == TEXT


def test_altered_body_is_refused() -> None:
    note = sign_note("size 10\n", ALICE)
    with pytest.raises(BadSignatureError, match=ALICE.name):
        verify_note(note.replace("10", "11"), ALICE.verifier)


def test_altered_signature_is_refused() -> None:
    text, _ = parse_note(sign_note(TEXT, ALICE))
    forged = ALICE.key_id.to_bytes(4, "big") + bytes(64)
    note = f"{text}\n— {ALICE.name} {base64.b64encode(forged).decode()}\n"
    with pytest.raises(BadSignatureError):
        verify_note(note, ALICE.verifier)
    # A known key's bad signature spoils the note even beside a good one.
    with pytest.raises(BadSignatureError):
        verify_note(note + sign_note(TEXT, ALICE).removeprefix(TEXT + "\n"), ALICE.verifier)


SIGNATURE = sign_note("x\n", ALICE).removeprefix("x\n\n")


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("x\n\n" + SIGNATURE.removesuffix("\n"), "does not end in a newline"),
        ("x\n" + SIGNATURE, "no blank line"),
        ("x\n\n", "no signature lines"),
        ("x\n\n" + SIGNATURE.replace("—", "-"), "does not start with"),
        ("x\n\n" + SIGNATURE.replace("— ", "—"), "does not start with"),
        ("x\n\n" + SIGNATURE.replace(" ", "  ", 2), "key name is empty"),
        ("x\n\n" + SIGNATURE.replace(ALICE.name, "a+b"), "contains '+'"),
        ("x\n\n" + SIGNATURE[:-4] + "!!=\n", "base64"),
        ("x\n\n" + SIGNATURE[:-2] + "\n", "base64"),
        ("x\n\n" + f"— {ALICE.name} AAAA\n", "too short"),
        ("x\r\n\n" + SIGNATURE, "control character"),
        ("x\t\n\n" + SIGNATURE, "control character"),
        ("x\n\n" + SIGNATURE * (MAX_SIGNATURES + 1), f"more than {MAX_SIGNATURES}"),
    ],
)
def test_malformed_notes_are_refused(note: str, problem: str) -> None:
    with pytest.raises(MalformedNoteError, match=re.escape(problem)):
        verify_note(note, ALICE.verifier)


def test_non_utf8_is_refused() -> None:
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        verify_note(b"\xff\n\n" + SIGNATURE.encode(), ALICE.verifier)
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        sign_note("\ud800\n", ALICE)


def test_many_signatures_are_accepted() -> None:
    cosigners = [Signer.generate(f"witness{i}.example") for i in range(15)]
    note = sign_note(TEXT, *cosigners, ALICE)
    assert verify_note(note, ALICE.verifier) == TEXT


@pytest.mark.parametrize("text", ["no newline", "", "a\x00\n", "a\rb\n"])
def test_sign_refuses_bad_text(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        sign_note(text, ALICE)


def test_sign_needs_a_signer() -> None:
    with pytest.raises(ValueError, match="signer"):
        sign_note(TEXT)


NAME, HEX_ID, KEY = ALICE.verifier.vkey.split("+", 2)
OTHER_TYPE = base64.b64encode(b"\x02" + bytes(32)).decode()
SHORT_KEY = base64.b64encode(b"\x01" + bytes(31)).decode()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (f"{NAME}+{HEX_ID}", "<name>"),
        (f"+{HEX_ID}+{KEY}", "empty"),
        (f"a b+{HEX_ID}+{KEY}", "space"),
        (f"{NAME}+{int(HEX_ID, 16) ^ 1:08x}+{KEY}", "does not match"),
        (f"{NAME}+{HEX_ID[:7]}+{KEY}", "8 hexadecimal"),
        (f"{NAME}+{HEX_ID[:7]}g+{KEY}", "8 hexadecimal"),
        (f"{NAME}+{HEX_ID}+{OTHER_TYPE}", "Ed25519"),
        (f"{NAME}+{HEX_ID}+{SHORT_KEY}", "Ed25519"),
        (f"{NAME}+{HEX_ID}+{KEY[:-1]}", "base64"),
    ],
    # Named, not shown: the keys are made at random, and ids must be the same in every
    # run (selecting a test by id, or splitting the suite across processes).
    ids=[
        *("no-key", "empty-name", "space-in-name", "id-mismatch", "short-id"),
        *("non-hex-id", "other-type", "short-key", "bad-base64"),
    ],
)
def test_malformed_verifier_keys_are_refused(line: str, problem: str) -> None:
    with pytest.raises(MalformedKeyError, match=re.escape(problem)):
        Verifier.from_vkey(line)


@pytest.mark.parametrize(
    "line",
    [
        ALICE.skey().removeprefix("PRIVATE+"),
        ALICE.skey().replace(ALICE.name, BOB.name),
        ALICE.skey()[:-4] + "AAA=",
        ALICE.verifier.vkey,
    ],
    ids=["no-prefix", "other-name", "other-seed", "verifier-key"],
)
def test_malformed_signer_keys_are_refused(line: str) -> None:
    with pytest.raises(MalformedKeyError):
        Signer.from_skey(line)


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\u00a0b", "a\nb", "tab\there"])
def test_bad_key_names_are_refused(name: str) -> None:
    with pytest.raises(MalformedKeyError):
        Signer.generate(name)


def test_errors_share_one_base() -> None:
    for error in (MalformedNoteError, MalformedKeyError, UnknownKeyError, BadSignatureError):
        assert issubclass(error, NoteError)
        assert issubclass(error, ValueError)
