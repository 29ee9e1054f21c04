"""AES-GCM under one person's key: a personal datum sealed, and opened again.

Each datum gets a fresh 96-bit nonce; the subject's id is the associated data, so a
ciphertext moved onto another person's field does not open under that person's key.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: A subject's key: 256 bits.
KEY_BYTES = 32
_NONCE_BYTES = 12


def new_key() -> bytes:
    """A fresh random key for one person."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, subject_id: UUID, value: str) -> str:
    """`value` encrypted under `key`, bound to `subject_id`, as URL-safe base64 text."""
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, value.encode("utf-8"), subject_id.bytes)
    return base64.urlsafe_b64encode(nonce + ciphertext).decode("ascii")


def unseal(key: bytes, subject_id: UUID, sealed: str) -> str | None:
    """The value `seal` sealed, or None when this key (or subject) does not open it."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], subject_id.bytes)
    except (InvalidTag, ValueError, UnicodeEncodeError):
        return None
    return plain.decode("utf-8")
