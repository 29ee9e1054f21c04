"""The `KindCount` type: registrations and attendance per kind of organisation."""

from __future__ import annotations

import strawberry

from coordination.graphql.enums import MemberKind
from coordination.projections.queries import workshops as views


@strawberry.type(description="How many registered and attended, for one kind of organisation.")
class KindCount:
    kind: MemberKind
    registered: int
    attended: int

    @classmethod
    def from_row(cls, row: views.KindCount) -> KindCount:
        return cls(kind=MemberKind(row.kind), registered=row.registered, attended=row.attended)
