"""Transcodings for the value types our events carry beyond the library's defaults."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Transcoding,
    UUIDAsHex,
)


class DateAsISO(Transcoding):
    """Calendar dates (mandates, due dates, periods) as ISO 8601 strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


#: The transcodings whose stored form our fast readers know, by the name they store.
KNOWN_FORMS: dict[str, type[Transcoding]] = {
    "uuid_hex": UUIDAsHex,
    "datetime_iso": DatetimeAsISO,
    "date_iso": DateAsISO,
    "decimal_str": DecimalAsStr,
}


def plain_transcodings(mapper: Mapper[Any]) -> frozenset[str]:
    """Names of the `KNOWN_FORMS` the mapper writes as they are, in plain JSON.

    Empty unless the mapper stores plain JSON (the library's JSON transcoder, with no
    cipher and no compressor): only then can stored bytes be read without the mapper.
    """
    transcoder = mapper.transcoder
    if not isinstance(transcoder, JSONTranscoder) or mapper.cipher or mapper.compressor:
        return frozenset()
    return frozenset(n for n, k in KNOWN_FORMS.items() if type(transcoder.names.get(n)) is k)
