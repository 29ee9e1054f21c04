"""Personal fields opened at read time, for a view that shows them to a caller allowed to.

Views hold persons by pseudonymous id only; what identifies them stays sealed in the
event that recorded it. A view that shows a name keeps where that event is (its stream
and version), and this reads the event back and opens the field with the person's key.
A forgotten person's key is gone, so their field opens to nothing: it reads as erased.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application

from coordination.domain.personal import Sealed
from coordination.privacy.cipher import unseal
from coordination.privacy.keys import SubjectKeys


@dataclass(frozen=True)
class FieldAt:
    """Where a personal field is: the event (stream and version) and the field's name."""

    stream_id: UUID
    version: int
    field: str


def open_fields(
    app: Application[UUID], keys: SubjectKeys, wanted: Iterable[FieldAt]
) -> dict[FieldAt, str | None]:
    """Each wanted field in clear; None where it is erased, absent or not personal.

    Every event is read once, and every key looked up in one query.
    """
    by_event: dict[tuple[UUID, int], list[FieldAt]] = {}
    for at in wanted:
        by_event.setdefault((at.stream_id, at.version), []).append(at)
    sealed: dict[FieldAt, Sealed] = {}
    for (stream_id, version), fields in by_event.items():
        for record in app.recorder.select_events(stream_id, gt=version - 1, lte=version):
            event = app.mapper.to_domain_event(record)
            for at in fields:
                value = getattr(event, at.field, None)
                if isinstance(value, Sealed):
                    sealed[at] = value
    held = keys.keys_of({value.subject_id for value in sealed.values()})
    opened: dict[FieldAt, str | None] = {}
    for at, value in sealed.items():
        key = held.get(value.subject_id)
        opened[at] = unseal(key, value.subject_id, value.sealed) if key is not None else None
    return opened
