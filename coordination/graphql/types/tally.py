"""The `Tally` type: the count of positions on a decision."""

from __future__ import annotations

import strawberry

from coordination.projections.queries import decisions as views


@strawberry.type(
    description="Positions counted: the sealed tally once closed, the live count while called."
)
class Tally:
    agree: int
    abstain: int
    disagree: int
    block: int
    counted: int = strawberry.field(
        description="The organisations entitled to a voice: the electorate less those that"
        " have withdrawn from the partnership since the call."
    )

    @classmethod
    def from_row(cls, row: views.Tally) -> Tally:
        return cls(
            agree=row.agree,
            abstain=row.abstain,
            disagree=row.disagree,
            block=row.block,
            counted=row.counted,
        )
