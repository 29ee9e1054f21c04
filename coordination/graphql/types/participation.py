"""The `Participation` type: how one member organisation takes part in the partnership."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from coordination.graphql.enums import MemberKind
from coordination.projections.queries import participation as views


@strawberry.type(
    description="One organisation's part in the work: groups, positions, workshops, actions."
)
class Participation:
    organisation_id: UUID
    partnership_id: UUID
    name: str
    kind: MemberKind
    admitted_on: date
    withdrawn_on: date | None
    groups_joined: int = strawberry.field(description="Working groups it belongs to now.")
    group_ids: list[UUID]
    positions_taken: int
    registrations: int = strawberry.field(description="Active workshop registrations.")
    attendances: int
    actions_owned: int
    actions_open: int
    actions_completed: int
    actions_dropped: int

    @classmethod
    def from_row(cls, row: views.Participation) -> Participation:
        return cls(
            organisation_id=row.organisation_id,
            partnership_id=row.partnership_id,
            name=row.name,
            kind=MemberKind(row.kind),
            admitted_on=row.admitted_on,
            withdrawn_on=row.withdrawn_on,
            groups_joined=row.groups_joined,
            group_ids=list(row.group_ids),
            positions_taken=row.positions_taken,
            registrations=row.registrations,
            attendances=row.attendances,
            actions_owned=row.actions_owned,
            actions_open=row.actions_open,
            actions_completed=row.actions_completed,
            actions_dropped=row.actions_dropped,
        )
