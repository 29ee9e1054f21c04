"""The `Mandate` type: a dated mandate of a person to represent a member organisation."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A person's dated mandate to act for a member organisation.")
class Mandate:
    uuid: UUID
    partnership_id: UUID
    organisation_id: UUID
    person_id: UUID = strawberry.field(description="Pseudonymous person id.")
    starts_on: date
    ends_on: date | None
    ended_on: date | None
    alternate: bool

    @strawberry.field(description="The organisation represented.")
    async def organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.organisation_id)

    @classmethod
    def from_row(cls, row: views.Mandate) -> Mandate:
        return cls(
            uuid=row.id,
            partnership_id=row.partnership_id,
            organisation_id=row.organisation_id,
            person_id=row.person_id,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            ended_on=row.ended_on,
            alternate=row.alternate,
        )
