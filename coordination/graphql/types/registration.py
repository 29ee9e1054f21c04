"""The `Registration` type: a person registered for a workshop, for an organisation."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.enums import ParticipantRole
from coordination.projections.queries import workshops as views


@strawberry.type(description="A registration for a workshop (the person is pseudonymous).")
class Registration:
    uuid: UUID
    workshop_id: UUID
    person_id: UUID
    organisation_id: UUID
    role: ParticipantRole
    active: bool = strawberry.field(description="False once cancelled.")

    @classmethod
    def from_row(cls, row: views.RegistrationView) -> Registration:
        return cls(
            uuid=row.id,
            workshop_id=row.workshop_id,
            person_id=row.person_id,
            organisation_id=row.organisation_id,
            role=ParticipantRole(row.role),
            active=row.active,
        )
