"""The `Attendance` type: a person who attended a held workshop, for an organisation."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.projections.queries import workshops as views


@strawberry.type(description="A recorded attendance (programme audit evidence).")
class Attendance:
    workshop_id: UUID
    person_id: UUID
    organisation_id: UUID

    @classmethod
    def from_row(cls, row: views.AttendanceView) -> Attendance:
        return cls(
            workshop_id=row.workshop_id,
            person_id=row.person_id,
            organisation_id=row.organisation_id,
        )
