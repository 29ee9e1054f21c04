"""Sealed personal fields found in a log entry's data, without its event class.

A log entry writes a personal field as the JSON of its `Sealed`, ``{"subject_id": <id>,
"sealed": <base64url>}`` (decision 38, addendum). What reads entries of other logs (a
partner's synced log, the merged joint-group view) has no event class to say which
fields are personal, so it recognises them by that form, wherever the data puts them.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from coordination.domain.personal import Sealed

#: The keys of a sealed field in an entry, as the log writes the dataclass.
SEALED_KEYS = frozenset(field.name for field in dataclasses.fields(Sealed))


def sealed_subjects(data: Any) -> frozenset[UUID]:
    """The data subjects of every sealed field in ``data`` (parsed JSON), at any depth.

    A mapping of the sealed form whose subject is not an id names nobody, and is not
    counted: its datum cannot be told to belong to anyone.
    """
    found: set[UUID] = set()
    # A stack, not recursion: a peer's entry may nest deeper than Python recurses.
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            subject = _subject(value)
            if subject is not None:
                found.add(subject)
            else:
                stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(found)


def _subject(value: dict[Any, Any]) -> UUID | None:
    if value.keys() != SEALED_KEYS:
        return None
    subject, sealed = value["subject_id"], value["sealed"]
    if not isinstance(subject, str) or not isinstance(sealed, str):
        return None
    try:
        return UUID(subject)
    except ValueError:
        return None
