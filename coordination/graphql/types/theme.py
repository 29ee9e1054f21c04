"""The `Theme` type: a theme of the partnership (Education, Support services, ...)."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.projections.queries import forums as views


@strawberry.type(description="A theme of the partnership; working groups sit under one.")
class Theme:
    uuid: UUID
    partnership_id: UUID
    name: str
    archived: bool

    @classmethod
    def from_row(cls, row: views.Theme) -> Theme:
        return cls(
            uuid=row.id, partnership_id=row.partnership_id, name=row.name, archived=row.archived
        )
