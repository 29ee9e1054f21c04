"""A partner node's verifier key, as the domain checks it: the C2SP signed-note vkey line
``<name>+<8 hex key id>+<base64(type || 32-byte Ed25519 public key)>``, of type 0x01 for
the key that signs a partner's log (FEED-PROTOCOL §2) or 0x04 for the key its witness
cosigns with (C2SP tlog-cosignature ``cosignature/v1``, FEED-PROTOCOL §7).

Only the form is checked here (name, key id, type byte, length, and that the key id is
the one the name and key give); verifying signatures with it is the signed log's
business (`coordination.audit.note`), which the pure domain does not import.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from coordination.domain.errors import InvalidInput

#: The signature type byte of Ed25519 in a vkey: a log's key.
ED25519 = 0x01
#: The signature type byte of an Ed25519 ``cosignature/v1``: a witness's key.
COSIGNATURE_V1 = 0x04
_TYPES = frozenset({ED25519, COSIGNATURE_V1})
VKEY_MAX = 400
_KEY_ID = re.compile(r"[0-9a-f]{8}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True)
class VerifierKey:
    """A parsed verifier key line.

    Attributes:
        name: The key's name; a partner's key is named by the partner's origin.
        key_id: The key id, 8 lowercase hexadecimal digits.
        public_key: The 32 bytes of the Ed25519 public key.
        key_type: Its signature type byte: `ED25519` (a log's) or `COSIGNATURE_V1` (a
            witness's).
    """

    name: str
    key_id: str
    public_key: bytes
    key_type: int = ED25519

    @property
    def vkey(self) -> str:
        """The key as its verifier key line."""
        encoded = base64.b64encode(bytes([self.key_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id}+{encoded}"

    @property
    def witness(self) -> bool:
        """Whether it is a witness's cosigning key rather than a log's."""
        return self.key_type == COSIGNATURE_V1


def key_id_of(name: str, public_key: bytes, key_type: int = ED25519) -> str:
    """The key id: the first 4 bytes of ``SHA-256(name || 0x0A || type || key)``, in hex."""
    data = name.encode() + b"\n" + bytes([key_type]) + public_key
    return hashlib.sha256(data).digest()[:4].hex()


def verifier_key(line: str, field: str = "vkey") -> VerifierKey:
    """Parse a verifier key line, refusing what is not one with a reason.

    Raises:
        InvalidInput: Naming `field` and what is wrong with the line.
    """
    if not isinstance(line, str):
        raise InvalidInput("must be text", field=field)
    line = line.strip()
    if not line or len(line) > VKEY_MAX:
        raise InvalidInput(
            f"must be a verifier key line <name>+<key id>+<key> of at most {VKEY_MAX} characters",
            field=field,
        )
    # A name holds no '+', base64 may: the first two '+' end the name and the key id.
    parts = line.split("+", 2)
    if len(parts) != 3:
        raise InvalidInput("must be a verifier key line <name>+<key id>+<key>", field=field)
    name, key_id, encoded = parts
    if not name or any(c.isspace() or not c.isprintable() for c in name):
        raise InvalidInput("has a key name that is empty or holds a space", field=field)
    if not _KEY_ID.fullmatch(key_id.lower()):
        raise InvalidInput(
            f"has a key id that is not 8 hexadecimal digits: {key_id!r}", field=field
        )
    if not _BASE64.fullmatch(encoded):
        raise InvalidInput("has a key that is not standard base64", field=field)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise InvalidInput("has a key that is not standard base64", field=field) from None
    if len(raw) != 33 or raw[0] not in _TYPES:
        raise InvalidInput(
            "is not an Ed25519 key: 0x01 (a log's) or 0x04 (a witness's) followed by 32 bytes",
            field=field,
        )
    expected = key_id_of(name, raw[1:], raw[0])
    if key_id.lower() != expected:
        raise InvalidInput(
            f"has the key id {key_id}, but its name and key give {expected}", field=field
        )
    return VerifierKey(name, expected, raw[1:], raw[0])
