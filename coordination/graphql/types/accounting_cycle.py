"""The `AccountingCycle` node: a member organisation's social-accounting cycle and its status."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from coordination.graphql.enums import AuditOpinion, CycleStage
from coordination.graphql.relay import Node, global_id
from coordination.projections.queries import accounting_cycles as views


@strawberry.type(description="A social-accounting cycle: where it stands in its enforced order.")
class AccountingCycle(Node):
    partnership_id: UUID
    organisation_id: UUID = strawberry.field(description="The member whose accounts these are.")
    period_start: date
    period_end: date
    previous_cycle_id: UUID | None
    stage: CycleStage
    purpose: str | None
    objectives: int
    stakeholder_groups: int
    indicators: int
    consultations: int
    open_queries: int = strawberry.field(description="Panel queries waiting for an answer.")
    accounts_version: int = strawberry.field(description="0 until the accounts are compiled.")
    accounts_hash: str | None
    opinion: AuditOpinion | None
    reservations: str | None
    published_where: str | None
    started_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: views.CycleView) -> AccountingCycle:
        return cls(
            id=global_id("AccountingCycle", row.id),
            uuid=row.id,
            partnership_id=row.partnership_id,
            organisation_id=row.organisation_id,
            period_start=row.period_start,
            period_end=row.period_end,
            previous_cycle_id=row.previous_cycle_id,
            stage=CycleStage(row.stage),
            purpose=row.purpose,
            objectives=row.objectives,
            stakeholder_groups=row.stakeholder_groups,
            indicators=row.indicators,
            consultations=row.consultations,
            open_queries=row.open_queries,
            accounts_version=row.accounts_version,
            accounts_hash=row.accounts_hash,
            opinion=AuditOpinion(row.opinion) if row.opinion else None,
            reservations=row.reservations,
            published_where=row.published_where,
            started_at=row.started_at,
            updated_at=row.updated_at,
        )
