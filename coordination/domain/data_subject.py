"""B10. A data subject forgotten: the stream that records, by pseudonymous id only, that
a person's key was destroyed.

The stream's id is the person's id, so "was this person forgotten?" is one read, and a
second erasure finds the first. `SubjectErased` goes to partners with everything they
may see, so that they drop what they derived from the person.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.values import Audience, choice


class ErasureGround(StrEnum):
    """Why a person was forgotten: a closed list, so that no free text about them is kept."""

    REQUEST = "request"  # the person asked to be forgotten (GDPR art. 17)
    RETENTION_ENDED = "retention_ended"  # the data was kept as long as its purpose needed
    OBJECTION = "objection"  # the person objected to its processing


class DataSubject(CoordinationAggregate):
    """A natural person about whom the node held personal data, once forgotten."""

    TOPIC = "coordination.data_subject"
    KIND = "data subject"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Erased(CoordinationAggregate.Created):
        """SubjectErased: the person's key is destroyed; their sealed data is unreadable."""

        TOPIC = "coordination.data_subject.erased"
        ground: str

        def apply(self, s: DataSubject) -> None:
            s.ground = self.ground

    def __init__(self) -> None:
        self.ground = ErasureGround.REQUEST.value

    @classmethod
    def erase(cls, ctx: Context, subject_id: UUID, *, ground: str) -> DataSubject:
        """Record that the person's key was destroyed (the application destroys it)."""
        return cls.start(
            cls.Erased,
            ctx,
            id=subject_id,
            audience=Audience.TRANSNATIONAL.value,
            ground=choice(ground, ErasureGround, "ground").value,
        )
