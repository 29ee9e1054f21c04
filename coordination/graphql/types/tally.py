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
    electorate: int = strawberry.field(
        description="How many organisations may take a position: the call's electorate"
        " less those that have withdrawn from the partnership since the call."
    )
    counted: int = strawberry.field(
        description="How many positions are counted so far, abstentions included: 0 before"
        " anyone took one; a withdrawn organisation's position is not counted."
    )

    @classmethod
    def from_row(cls, row: views.Tally) -> Tally:
        return cls(
            agree=row.agree,
            abstain=row.abstain,
            disagree=row.disagree,
            block=row.block,
            electorate=row.electorate,
            counted=row.counted,
        )
