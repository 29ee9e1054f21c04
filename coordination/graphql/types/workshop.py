"""The `Workshop` node: a shared event with its registrations, attendance and minutes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import MinutesStatus, WorkshopFormat, WorkshopStatus
from coordination.graphql.relay import (
    DEFAULT_PAGE,
    Connection,
    Node,
    check_first,
    connection,
    fetch_page,
    global_id,
)
from coordination.graphql.types.attendance import Attendance
from coordination.graphql.types.kind_count import KindCount
from coordination.graphql.types.registration import Registration
from coordination.projections.queries import workshops as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A workshop or meeting, organised by working groups or partners.")
class Workshop(Node):
    partnership_id: UUID
    theme_id: UUID
    title: str
    format: WorkshopFormat
    venue: str | None
    capacity: int
    starts_at: datetime
    ends_at: datetime
    status: WorkshopStatus
    cancel_reason: str | None
    held_at: datetime | None
    audience_description: str
    organiser_group_ids: list[UUID]
    organiser_partners: list[str]
    agenda: list[str]
    minutes_status: MinutesStatus
    minutes_hash: str | None = strawberry.field(description="SHA-256 of the approved minutes.")
    registered: int = strawberry.field(description="Active registrations.")
    attended: int
    follow_up_action_ids: list[UUID]

    @strawberry.field(description="Registrations (active ones, or all).")
    async def registrations(
        self,
        info: Info,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
        include_cancelled: bool = False,
    ) -> Connection[Registration]:
        check_first(first)
        page = await fetch_page(
            lambda: views.list_registrations(
                info.context.services.db,
                self.uuid,
                include_cancelled=include_cancelled,
                first=first,
                after=after,
            )
        )
        return connection(page, Registration.from_row)

    @strawberry.field(description="Who attended, per person and organisation.")
    async def attendance(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Attendance]:
        check_first(first)
        page = await fetch_page(
            lambda: views.list_attendance(
                info.context.services.db, self.uuid, first=first, after=after
            )
        )
        return connection(page, Attendance.from_row)

    @strawberry.field(description="Registered and attended per kind of organisation.")
    async def attendance_by_kind(self, info: Info) -> list[KindCount]:
        rows = await views.attendance_by_kind(info.context.services.db, self.uuid)
        return [KindCount.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: views.WorkshopView) -> Workshop:
        return cls(
            id=global_id("Workshop", row.id),
            uuid=row.id,
            partnership_id=row.partnership_id,
            theme_id=row.theme_id,
            title=row.title,
            format=WorkshopFormat(row.format),
            venue=row.venue,
            capacity=row.capacity,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=WorkshopStatus(row.status),
            cancel_reason=row.cancel_reason,
            held_at=row.held_at,
            audience_description=row.audience_description,
            organiser_group_ids=list(row.organiser_group_ids),
            organiser_partners=list(row.organiser_partners),
            agenda=list(row.agenda),
            minutes_status=MinutesStatus(row.minutes_status),
            minutes_hash=row.minutes_hash,
            registered=row.registered,
            attended=row.attended,
            follow_up_action_ids=list(row.follow_up_action_ids),
        )
