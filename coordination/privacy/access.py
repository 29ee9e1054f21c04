"""An access request answered: everything the node holds about one person, as JSON.

The node holds a person in two ways: as the subject of sealed personal fields, and by
their pseudonymous id wherever an event names them (as the actor, a participant, a
registered or attending person). The answer lists every stored event that does either,
in the log's order, with the person's own sealed fields opened and anyone else's
withheld. Once the person is forgotten their fields read `{"erased": true}`: the events
that named them are still there (the log is never rewritten), but nothing of them is
readable.

It reads the whole event table once: an access request is rare, and one scan finds an
id wherever a past or future event kind puts it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from coordination.domain.personal import Sealed
from coordination.privacy.cipher import unseal
from coordination.privacy.keys import SubjectKeys

#: Stored events read per query.
PAGE = 1000
#: The library's bookkeeping, shown by name in the answer's own fields.
_BOOKKEEPING = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def subject_record(app: Application[UUID], keys: SubjectKeys, subject_id: UUID) -> dict[str, Any]:
    """Everything the node holds about `subject_id`, their sealed fields opened.

    Returns:
        ``{"subject_id", "key", "events": [{"position", "type", "stream", "version",
        "recorded_at", "data"}]}``; ``key`` is ``held``, ``erased`` or ``unknown``.
    """
    key = keys.keys_of([subject_id]).get(subject_id)
    events = [
        {
            "position": position,
            "type": event.TOPIC,
            "stream": str(event.originator_id),
            "version": event.originator_version,
            "recorded_at": event.timestamp.isoformat(),
            "data": {
                name: _shown(value, subject_id, key)
                for name, value in vars(event).items()
                if name not in _BOOKKEEPING
            },
        }
        for position, event in _events(app)
        if _mentions(vars(event), subject_id)
    ]
    return {"subject_id": str(subject_id), "key": keys.state(subject_id).value, "events": events}


def _events(app: Application[UUID]) -> Iterator[tuple[int, Any]]:
    start: int | None = None
    while True:
        page = app.recorder.select_notifications(start, PAGE, inclusive_of_start=start is None)
        for notification in page:
            yield notification.id, app.mapper.to_domain_event(notification)
        if len(page) < PAGE:
            return
        start = page[-1].id


def _mentions(value: Any, subject_id: UUID) -> bool:
    """Whether the person's id (or a datum sealed with their key) appears in `value`."""
    if isinstance(value, Sealed):
        return value.subject_id == subject_id
    if isinstance(value, UUID):
        return value == subject_id
    if isinstance(value, str):
        return value == str(subject_id)
    if isinstance(value, dict):
        return any(_mentions(item, subject_id) for item in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_mentions(item, subject_id) for item in value)
    return False


def _shown(value: Any, subject_id: UUID, key: bytes | None) -> Any:
    """`value` as JSON, the person's sealed fields opened and others' withheld."""
    if isinstance(value, Sealed):
        if value.subject_id != subject_id:
            return {"withheld": "personal data of another person"}
        opened = unseal(key, subject_id, value.sealed) if key is not None else None
        return opened if opened is not None else {"erased": True}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, (UUID, date, datetime)):
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if isinstance(value, dict):
        return {str(k): _shown(v, subject_id, key) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_shown(item, subject_id, key) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _shown(getattr(value, f.name), subject_id, key)
            for f in dataclasses.fields(value)
        }
    return str(value)
