"""Rows of the log as PostgreSQL binary COPY streams (the manual: "COPY", "Binary Format").

The integrator writes each batch with one COPY per table. The stream is built here rather
than row by row through psycopg's ``write_row``, which would need two UUID objects per
entry (they cost more than the rest of the row); the ids' 16 bytes come from their hex
digits instead. Each field is its length (int4) then its bytes, in the column order of
the COPY statement.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from .storage import LogEntry

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # then no flags, no header extension
_TRAILER = b"\xff\xff"
# Nine fields: idx, notification_id, event_id, stream_id, stream_version, then the length
# of type (its text follows, then audience, leaf_hash and entry, each after its length).
_ENTRY_HEAD = struct.Struct(">hiqiqi16si16siqi")
_LENGTH = struct.Struct(">i")
_HASH_ROW = struct.Struct(">hiqi32s")


def _uuid_bytes(text: str) -> bytes:
    value = bytes.fromhex(text.replace("-", ""))
    if len(value) != 16:  # struct would pad or cut it silently
        raise ValueError("an id of the log is not a UUID")
    return value


def copy_entries(entries: Sequence[LogEntry]) -> bytearray:
    """The rows of ``log_entries`` as one binary COPY stream, signature and trailer included.

    Raises:
        ValueError: An event or stream id is not a UUID.
    """
    out = bytearray(_SIGNATURE)
    head, length = _ENTRY_HEAD.pack, _LENGTH.pack
    for e in entries:
        kind, audience = e.type.encode(), e.audience.encode()
        out += head(
            9,
            8,
            e.index,
            8,
            e.notification_id,
            16,
            _uuid_bytes(e.event_id),
            16,
            _uuid_bytes(e.stream_id),
            8,
            e.stream_version,
            len(kind),
        )
        out += kind
        out += length(len(audience))
        out += audience
        out += length(len(e.leaf_hash))
        out += e.leaf_hash
        out += length(len(e.entry))
        out += e.entry
    out += _TRAILER
    return out


def copy_hashes(first: int, hashes: Sequence[bytes]) -> bytes:
    """The rows of ``log_hashes`` from storage index ``first`` on, as one binary COPY stream.

    Raises:
        ValueError: A hash is not 32 bytes.
    """
    if any(len(h) != 32 for h in hashes):  # struct would pad or cut it silently
        raise ValueError("a stored hash is not 32 bytes")
    rows = b"".join([_HASH_ROW.pack(2, 8, i, 32, h) for i, h in enumerate(hashes, first)])
    return _SIGNATURE + rows + _TRAILER
