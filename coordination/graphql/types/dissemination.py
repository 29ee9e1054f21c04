"""The dissemination record of B9: activities, and what they led to in each organisation."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from coordination.graphql.enums import DisseminationChannel, DisseminationStatus, OutcomeKind
from coordination.projections.queries import dissemination as views


@strawberry.type(description="A dissemination activity: planned, then held with its reach.")
class DisseminationActivity:
    uuid: UUID
    partnership_id: UUID
    responsible_id: UUID = strawberry.field(description="The member organisation responsible.")
    title: str
    channel: DisseminationChannel
    audience_description: str
    planned_on: date
    status: DisseminationStatus
    held_on: date | None
    reach: int | None
    evidence_hash: str | None

    @classmethod
    def from_row(cls, row: views.ActivityView) -> DisseminationActivity:
        return cls(
            uuid=row.id,
            partnership_id=row.partnership_id,
            responsible_id=row.responsible_id,
            title=row.title,
            channel=DisseminationChannel(row.channel),
            audience_description=row.audience_description,
            planned_on=row.planned_on,
            status=DisseminationStatus(row.status),
            held_on=row.held_on,
            reach=row.reach,
            evidence_hash=row.evidence_hash,
        )


@strawberry.type(description="A practice taken up, or a policy changed, by a member organisation.")
class DisseminationOutcome:
    uuid: UUID
    dissemination_id: UUID
    organisation_id: UUID
    kind: OutcomeKind
    description: str = strawberry.field(description="The practice, or the policy change.")
    on_day: date
    evidence_hash: str | None

    @classmethod
    def from_row(cls, row: views.OutcomeView) -> DisseminationOutcome:
        return cls(
            uuid=row.id,
            dissemination_id=row.dissemination_id,
            organisation_id=row.organisation_id,
            kind=OutcomeKind(row.kind),
            description=row.description,
            on_day=row.on_day,
            evidence_hash=row.evidence_hash,
        )


@strawberry.type(
    description="One member organisation's dissemination record: the activities it was"
    " responsible for, and the practices and policies it changed."
)
class DisseminationRecord:
    organisation_id: UUID
    activities: list[DisseminationActivity]
    outcomes: list[DisseminationOutcome]
