"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, free of I/O.

A note is a text ending in a newline, a blank line, and signature lines
``— <key name> <base64(4-byte key id || signature)>``. Keys travel as single lines:
``<name>+<8 hex key id>+<base64(0x01 || public key)>`` for verifiers and
``PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>`` for signers.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ._encoding import b64decode_strict, b64encode

ED25519 = 0x01
"""The signature type byte of Ed25519 in key ids and key lines."""

SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100
"""Signature lines accepted per note; the spec asks to accept at least 16."""
MAX_NOTE_SIZE = 1 << 20
"""Longest note accepted, in characters (or bytes, when given bytes)."""

_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")
_PRIVATE_PREFIX = "PRIVATE+KEY+"


class NoteError(ValueError):
    """A note or key is refused; the message says why."""


class MalformedNoteError(NoteError):
    """The note is not a well-formed signed note (text, separator or signature lines)."""


class MalformedKeyError(NoteError):
    """A key line or key name is not well formed, or its key id does not match the key."""


class UnknownKeyError(NoteError):
    """No signature on the note is from a known key."""


class BadSignatureError(NoteError):
    """A signature from a known key does not verify: the note was altered or forged."""


def key_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a key name, or None if it can.

    Key names are non-empty, without Unicode spaces, plus signs or control characters.
    """
    if not name:
        return "key name is empty"
    if "+" in name:
        return f"key name {name!r} contains '+'"
    if any(c.isspace() or c < " " for c in name):
        return f"key name {name!r} contains a space or control character"
    return None


def _check_key_name(name: str) -> None:
    problem = key_name_problem(name)
    if problem:
        raise MalformedKeyError(problem)


def key_id(name: str, public_key: bytes) -> int:
    """The key id: the first 4 bytes, big-endian, of ``SHA-256(name || 0x0A || 0x01 || key)``."""
    data = name.encode() + b"\n" + bytes([ED25519]) + public_key
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big")


def _parse_key_id(text: str) -> int:
    if not _KEY_ID.fullmatch(text):
        raise MalformedKeyError(f"key id {text!r} is not 8 hexadecimal digits")
    return int(text, 16)


def _parse_key_bytes(text: str, what: str) -> bytes:
    try:
        raw = b64decode_strict(text)
    except ValueError as exc:
        raise MalformedKeyError(f"{what}: {exc}") from exc
    if len(raw) != 33 or raw[0] != ED25519:
        raise MalformedKeyError(f"{what} is not 0x01 (Ed25519) followed by 32 bytes")
    return raw[1:]


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 public key under a key name."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.public_key) != 32:
            raise MalformedKeyError("an Ed25519 public key has 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.public_key))
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:
            raise MalformedKeyError(f"not an Ed25519 public key: {exc}") from exc
        object.__setattr__(self, "_key", key)

    @classmethod
    def from_vkey(cls, line: str) -> Verifier:
        """Parse a verifier key line ``name+keyid+base64(0x01 || public key)``.

        Raises:
            MalformedKeyError: The line is malformed or its key id does not match.
        """
        # Names hold no '+', base64 may: the first two '+' end the name and the key id.
        parts = line.removesuffix("\n").split("+", 2)
        if len(parts) != 3:
            raise MalformedKeyError("a verifier key is <name>+<key id>+<key>")
        name, hex_id, encoded = parts
        _check_key_name(name)
        claimed = _parse_key_id(hex_id)
        verifier = cls(name, _parse_key_bytes(encoded, "verifier key"))
        if verifier.key_id != claimed:
            raise MalformedKeyError(f"key id {hex_id} does not match the key of {name}")
        return verifier

    @property
    def vkey(self) -> str:
        """The verifier key line."""
        return f"{self.name}+{self.key_id:08x}+{b64encode(bytes([ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key (its 32-byte seed) under a key name, and its ``verifier``."""

    name: str
    seed: bytes = field(repr=False)
    verifier: Verifier = field(init=False, repr=False, compare=False)
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.seed) != 32:
            raise MalformedKeyError("an Ed25519 seed has 32 bytes")
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        object.__setattr__(self, "_key", key)
        public_key = key.public_key().public_bytes_raw()
        object.__setattr__(self, "verifier", Verifier(self.name, public_key))

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key named ``name``."""
        return cls(name, secrets.token_bytes(32))

    @classmethod
    def from_skey(cls, line: str) -> Signer:
        """Parse a signer key line ``PRIVATE+KEY+name+keyid+base64(0x01 || seed)``.

        Raises:
            MalformedKeyError: The line is malformed or its key id does not match.
        """
        line = line.removesuffix("\n")
        if not line.startswith(_PRIVATE_PREFIX):
            raise MalformedKeyError("a signer key starts with PRIVATE+KEY+")
        parts = line.removeprefix(_PRIVATE_PREFIX).split("+", 2)
        if len(parts) != 3:
            raise MalformedKeyError("a signer key is PRIVATE+KEY+<name>+<key id>+<key>")
        name, hex_id, encoded = parts
        _check_key_name(name)
        claimed = _parse_key_id(hex_id)
        signer = cls(name, _parse_key_bytes(encoded, "signer key"))
        if signer.key_id != claimed:
            raise MalformedKeyError(f"key id {hex_id} does not match the key of {name}")
        return signer

    def skey(self) -> str:
        """The signer key line: secret, to be kept as such."""
        encoded = b64encode(bytes([ED25519]) + self.seed)
        return f"{_PRIVATE_PREFIX}{self.name}+{self.key_id:08x}+{encoded}"

    @property
    def key_id(self) -> int:
        """The key id."""
        return self.verifier.key_id

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message``."""
        return self._key.sign(message)


class Signature(NamedTuple):
    """One signature line of a note."""

    name: str
    key_id: int
    signature: bytes


def _check_text(text: str, what: str) -> bytes:
    if any(c < " " and c != "\n" for c in text):
        raise MalformedNoteError(f"{what} contains a control character other than newline")
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise MalformedNoteError(f"{what} is not valid UTF-8") from exc


def sign_note(text: str, *signers: Signer) -> str:
    """Sign ``text`` with each signer, in order, into a signed note.

    Raises:
        MalformedNoteError: The text does not end in a newline or has control characters.
        ValueError: No signer was given.
    """
    if not signers:
        raise ValueError("a note needs at least one signer")
    message = _check_text(text, "note text")
    if not text.endswith("\n"):
        raise MalformedNoteError("note text does not end in a newline")
    lines = "".join(
        f"{SIGNATURE_PREFIX}{s.name} {b64encode(s.key_id.to_bytes(4, 'big') + s.sign(message))}\n"
        for s in signers
    )
    return f"{text}\n{lines}"


def parse_note(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signatures, verifying nothing.

    Raises:
        MalformedNoteError: The note is not a well-formed signed note.
    """
    if len(note) > MAX_NOTE_SIZE:
        raise MalformedNoteError(f"note is longer than {MAX_NOTE_SIZE} characters")
    if isinstance(note, bytes):
        try:
            note = note.decode()
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note is not valid UTF-8") from exc
    _check_text(note, "note")
    if not note.endswith("\n"):
        raise MalformedNoteError("note does not end in a newline")
    # The text may contain blank lines; the last one separates it from the signatures.
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("no blank line separates the text from the signatures")
    if split + 2 == len(note):
        raise MalformedNoteError("note has no signature lines")
    text, lines = note[: split + 1], note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    signatures = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedNoteError(f"signature line {number} does not start with '— '")
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        problem = key_name_problem(name)
        if problem:
            raise MalformedNoteError(f"signature line {number}: {problem}")
        try:
            raw = b64decode_strict(encoded)
        except ValueError as exc:
            raise MalformedNoteError(f"signature line {number}: {exc}") from exc
        if len(raw) < 5:
            raise MalformedNoteError(f"signature line {number} is too short")
        signatures.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    return text, signatures


def verify_note(note: str | bytes, verifiers: Verifier | Iterable[Verifier]) -> str:
    """Verify a signed note and return its text.

    Signatures from unknown keys are ignored (the spec requires it, for key rotation and
    cosigning); every signature from a known key must verify, and at least one must exist.

    Args:
        note: The signed note.
        verifiers: The trusted keys.

    Returns:
        The note text, ending in a newline.

    Raises:
        MalformedNoteError: The note is not a well-formed signed note.
        BadSignatureError: A signature from a known key does not verify.
        UnknownKeyError: No signature is from a known key.
    """
    known = {
        (v.name, v.key_id): v
        for v in ([verifiers] if isinstance(verifiers, Verifier) else verifiers)
    }
    text, signatures = parse_note(note)
    message = text.encode()
    verified = False
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(message, sig.signature):
            raise BadSignatureError(
                f"signature by {sig.name} (key id {sig.key_id:08x}) does not verify"
            )
        verified = True
    if not verified:
        signed_by = ", ".join(f"{s.name}+{s.key_id:08x}" for s in signatures)
        raise UnknownKeyError(f"no signature from a known key; signed by {signed_by}")
    return text
