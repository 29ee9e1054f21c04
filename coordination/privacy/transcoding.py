"""The seam: the event store's transcoder seals each personal field as it stores an event.

The library's mapper turns an event into stored bytes through its transcoder, one value
at a time, before the recorder writes them; a `Personal` value is sealed there with its
subject's key, so nothing downstream (the event table, the integrator's log entries,
the feeds, exports, replays) ever sees it in clear. Read back, the field is a `Sealed`:
reading never needs a key, and never depends on whether the person has been forgotten.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoding

from coordination.domain.personal import Personal, Sealed
from coordination.privacy.cipher import seal
from coordination.privacy.keys import SubjectKeys

#: The transcoding's name in stored events.
NAME = "personal"


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
        return {"subject": obj.subject_id.hex, "sealed": seal(key, obj.subject_id, obj.value)}

    def decode(self, data: dict[str, Any]) -> Sealed:
        return Sealed(UUID(data["subject"]), data["sealed"])
