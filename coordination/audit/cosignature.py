"""C2SP tlog-cosignature v1.0.0, Ed25519 (``cosignature/v1``), free of I/O.

A cosignature is a note signature line ``— <witness name> base64(key id || timestamp ||
signature)`` whose key id is ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``, whose
timestamp is 8 bytes big-endian (POSIX seconds), and whose Ed25519 signature covers
``cosignature/v1\\ntime <timestamp>\\n`` followed by the checkpoint's note text. Keys travel
as vkey lines ``<name>+<key id>+base64(0x04 || public key)``; the secret as
``PRIVATE+KEY+<name>+<key id>+base64(0x04 || seed)``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ._encoding import b64decode_strict, b64encode
from .note import SIGNATURE_PREFIX, MalformedKeyError, key_name_problem, parse_note

COSIGNATURE_V1 = 0x04
"""The signature type byte of Ed25519 ``cosignature/v1`` in key ids and key lines."""
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_KEY_ID = re.compile(r"[0-9a-f]{8}")
MAX_TIMESTAMP = (1 << 63) - 1


def cosigner_key_id(name: str, public_key: bytes) -> int:
    """``SHA-256(name || 0x0A || 0x04 || public key)[:4]``, big-endian."""
    data = name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big")


def signed_message(text: str, timestamp: int) -> bytes:
    """What a ``cosignature/v1`` signs: the header, the time line and the note text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def _split_key(line: str, what: str) -> tuple[str, int, bytes]:
    parts = line.strip().split("+", 2)
    if len(parts) != 3:
        raise MalformedKeyError(f"{what} is <name>+<key id>+<key>")
    name, hex_id, encoded = parts
    problem = key_name_problem(name)
    if problem:
        raise MalformedKeyError(problem)
    if not _KEY_ID.fullmatch(hex_id):
        raise MalformedKeyError(f"key id {hex_id!r} is not 8 lower-case hexadecimal digits")
    try:
        raw = b64decode_strict(encoded)
    except ValueError as exc:
        raise MalformedKeyError(f"{what}: {exc}") from exc
    if len(raw) != 33 or raw[0] != COSIGNATURE_V1:
        raise MalformedKeyError(
            f"{what} is not 0x04 (an Ed25519 cosignature/v1 key) followed by 32 bytes"
        )
    return name, int(hex_id, 16), raw[1:]


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's public key under its name (FEED-PROTOCOL §7)."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problem = key_name_problem(self.name)
        if problem:
            raise MalformedKeyError(problem)
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:
            raise MalformedKeyError(f"not an Ed25519 public key: {exc}") from exc
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "key_id", cosigner_key_id(self.name, self.public_key))

    @classmethod
    def from_vkey(cls, line: str) -> CosignatureVerifier:
        """Parse a witness vkey line.

        Raises:
            MalformedKeyError: The line is malformed, of another type, or its key id does
                not match its key.
        """
        name, claimed, public_key = _split_key(line, "a witness key")
        verifier = cls(name, public_key)
        if verifier.key_id != claimed:
            raise MalformedKeyError(f"key id {claimed:08x} does not match the key of {name}")
        return verifier

    @property
    def vkey(self) -> str:
        """The witness vkey line."""
        key = b64encode(bytes([COSIGNATURE_V1]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{key}"

    def timestamp_of(self, text: str, signature: bytes) -> int | None:
        """The time of this witness's cosignature ``signature`` (key id stripped) of the
        note text ``text``, or None when it does not verify."""
        if len(signature) != 72:
            return None
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return None
        try:
            self._key.verify(signature[8:], signed_message(text, timestamp))
        except InvalidSignature:
            return None
        return timestamp


@dataclass(frozen=True)
class Cosigner:
    """A witness's Ed25519 key (its seed) under its name."""

    name: str
    seed: bytes = field(repr=False)
    verifier: CosignatureVerifier = field(init=False, repr=False, compare=False)
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        object.__setattr__(self, "_key", key)
        public = CosignatureVerifier(self.name, key.public_key().public_bytes_raw())
        object.__setattr__(self, "verifier", public)

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        """A new random witness key named ``name``."""
        return cls(name, secrets.token_bytes(32))

    @classmethod
    def from_skey(cls, line: str) -> Cosigner:
        """Parse a witness signer key line ``PRIVATE+KEY+<name>+<key id>+<key>``.

        Raises:
            MalformedKeyError: The line is malformed or its key id does not match.
        """
        if not line.startswith(_PRIVATE_PREFIX):
            raise MalformedKeyError("a witness signer key starts with PRIVATE+KEY+")
        name, claimed, seed = _split_key(line.removeprefix(_PRIVATE_PREFIX), "a witness key")
        cosigner = cls(name, seed)
        if cosigner.verifier.key_id != claimed:
            raise MalformedKeyError(f"key id {claimed:08x} does not match the key of {name}")
        return cosigner

    def skey(self) -> str:
        """The signer key line: secret, to be kept as such."""
        encoded = b64encode(bytes([COSIGNATURE_V1]) + self.seed)
        return f"{_PRIVATE_PREFIX}{self.name}+{self.verifier.key_id:08x}+{encoded}"

    def cosign(self, text: str, timestamp: int) -> str:
        """The cosignature line (ending in a newline) of the note text ``text``."""
        signature = self._key.sign(signed_message(text, timestamp))
        raw = self.verifier.key_id.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + signature
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(raw)}\n"


def cosigned_by(
    note: str | bytes, witnesses: Iterable[CosignatureVerifier]
) -> dict[CosignatureVerifier, int]:
    """The given witnesses whose cosignature on ``note`` verifies, with its time.

    Lines of other keys are ignored (the standard asks it); a witness's line that does not
    verify counts as no cosignature.

    Raises:
        MalformedNoteError: The note is not a well-formed signed note.
    """
    text, signatures = parse_note(note)
    known = {(w.name, w.key_id): w for w in witnesses}
    found: dict[CosignatureVerifier, int] = {}
    for signature in signatures:
        witness = known.get((signature.name, signature.key_id))
        if witness is None:
            continue
        timestamp = witness.timestamp_of(text, signature.signature)
        if timestamp is not None:
            found[witness] = timestamp
    return found


def line_cosigned_by(witness: CosignatureVerifier, note: str, answer: str) -> str | None:
    """The line of a witness's `answer` that cosigns `note` under `witness`'s key, or None.

    A witness may answer with several signature lines, one per key it holds, in any order
    (C2SP tlog-witness): the one kept is the one the registered key verifies.

    Raises:
        MalformedNoteError: A line of the answer is not a signature line.
    """
    for line in answer.splitlines():
        if line and witness in cosigned_by(f"{note}{line}\n", [witness]):
            return f"{line}\n"
    return None
