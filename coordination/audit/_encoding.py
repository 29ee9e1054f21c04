"""Standard base64 (RFC 4648 §4), strict: the wire formats accept one spelling per value."""

from __future__ import annotations

import base64
import binascii


def b64encode(data: bytes) -> str:
    """Encode bytes as padded standard base64 text."""
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str) -> bytes:
    """Decode padded standard base64, refusing every non-canonical spelling.

    Args:
        text: The base64 text.

    Returns:
        The decoded bytes.

    Raises:
        ValueError: The text is not the canonical base64 encoding of any byte string
            (foreign characters, missing padding, non-zero trailing bits).
    """
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not valid standard base64: {exc}") from exc
    # b64decode tolerates non-zero padding bits; a second spelling of the same bytes
    # would let a signed value be altered without changing what it decodes to.
    if b64encode(data) != text:
        raise ValueError("not the canonical standard base64 encoding")
    return data
