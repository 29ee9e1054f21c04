"""The `ForumMember` type: an organisation's membership of a forum (partnership or group)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import MemberKind
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A member organisation of a forum, current or former.")
class ForumMember:
    forum_id: UUID
    organisation_id: UUID
    name: str | None = strawberry.field(description="None if the organisation is unknown.")
    kind: MemberKind | None
    active: bool
    joined_at: datetime
    left_at: datetime | None

    @strawberry.field(description="The organisation itself.")
    async def organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.organisation_id)

    @classmethod
    def from_row(cls, row: views.ForumMember) -> ForumMember:
        return cls(
            forum_id=row.forum_id,
            organisation_id=row.organisation_id,
            name=row.name,
            kind=MemberKind(row.kind) if row.kind else None,
            active=row.active,
            joined_at=row.joined_at,
            left_at=row.left_at,
        )
