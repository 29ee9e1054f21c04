"""The seam: the event store's transcoder seals each personal field as it stores an event.

The library's mapper turns an event into stored bytes through its transcoder, one value
at a time, before the recorder writes them; a `Personal` value is sealed there with its
subject's key, so nothing downstream (the event table, the integrator's log entries,
the feeds, exports, replays) ever sees it in clear. Read back, the field is a `Sealed`:
reading never needs a key, and never depends on whether the person has been forgotten.
A `Sealed` is stored again as it is, in the same form (a replay stores the events of the
log, whose personal fields are sealed, as the node stored them: decision 38).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from coordination.domain.personal import Personal, Sealed
from coordination.privacy.cipher import seal
from coordination.privacy.keys import SubjectKeys

#: The transcodings' name in stored events.
NAME = "personal"


def stored_form(subject_hex: str, sealed: str) -> dict[str, str]:
    """A sealed datum's stored data: its subject's id as 32 hex digits, its ciphertext."""
    return {"subject": subject_hex, "sealed": sealed}


def _sealed(data: dict[str, Any]) -> Sealed:
    return Sealed(UUID(data["subject"]), data["sealed"])


class PersonalAsSealed(Transcoding):
    """`Personal` values stored sealed under their subject's key.

    Args:
        keys: The node's key store; a person's key is made there when first needed.
    """

    type = Personal
    name = NAME

    def __init__(self, keys: SubjectKeys) -> None:
        self._keys = keys

    def encode(self, obj: Personal) -> dict[str, str]:
        key = self._keys.key_for_sealing(obj.subject_id)
        return stored_form(obj.subject_id.hex, seal(key, obj.subject_id, obj.value))

    def decode(self, data: dict[str, Any]) -> Sealed:
        return _sealed(data)


class SealedAsStored(Transcoding):
    """`Sealed` values stored as they are: what `PersonalAsSealed` stored, byte for byte.

    Never opened and never needing a key, so an event read back (from the store or the
    log) is stored again as the same bytes, an erased person's fields included.
    """

    type = Sealed
    name = NAME

    def encode(self, obj: Sealed) -> dict[str, str]:
        return stored_form(obj.subject_id.hex, obj.sealed)

    def decode(self, data: dict[str, Any]) -> Sealed:
        return _sealed(data)


def register_personal(transcoder: JSONTranscoder, keys: SubjectKeys) -> None:
    """Register both personal transcodings: each type is encoded by its own, and the one
    stored name decodes to a `Sealed` by either (the transcoder keeps the last)."""
    transcoder.register(PersonalAsSealed(keys))
    transcoder.register(SealedAsStored())


def stores_sealed_as_is(transcoder: Any) -> bool:
    """Whether ``transcoder`` stores a `Sealed` in the form `stored_form` gives (as the
    node's does), so that stored JSON of one can be written without the transcoder."""
    return isinstance(transcoder, JSONTranscoder) and (
        type(transcoder.types.get(Sealed)) is SealedAsStored
    )
