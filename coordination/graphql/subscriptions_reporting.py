"""Subscriptions to one programme cohort's funnel, one social-accounting cycle's status and
one mapping survey's progress: the row as it stands, then again each time it changes.

Each follows the projector's broadcast, as `viewUpdates` does, but for one stream of one
view, and sends the row itself rather than "look again": a notice for the stream (or a
batch too large to list its streams) makes it read the row again, and a row that did not
change is not sent twice. The first message is the row when subscribed, so a client
needs no query before it and misses nothing after it. Who may subscribe is who may
query the row (the partnership's readers), checked again before every message: a
mandate may end while the connection lasts.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import RequestError
from coordination.graphql.subscriptions import require_valid_token
from coordination.graphql.types.accounting_cycle import AccountingCycle
from coordination.graphql.types.programme import Cohort
from coordination.graphql.types.survey import MappingSurvey
from coordination.projections.queries import accounting_cycles, programmes, surveys

Info = strawberry.Info[GraphQLContext, None]
T = TypeVar("T")


async def following(
    info: Info, view: str, stream_id: UUID, kind: str, read: Callable[[], Awaitable[T | None]]
) -> AsyncGenerator[T, None]:
    """The row `read` gives of the `kind` `stream_id`, now and whenever `view` moves for it.

    Raises:
        RequestError: UNAUTHENTICATED or FORBIDDEN for a caller who may not read the
            partnership's `kind`s (at any message), NOT_FOUND for a stream the view does
            not hold, UNAVAILABLE in a process that runs no projector.
    """
    what = f"{kind}s"
    visibility = info.context.visibility
    await visibility.require_partnership(what)
    source = info.context.services.updates
    if source is None:
        raise RequestError("this process runs no projector to follow", "UNAVAILABLE")
    async with source.subscribe() as updates:  # before the first read: no change is missed
        current = await read()
        if current is None:
            raise RequestError(f"no {kind} with id {stream_id}", "NOT_FOUND")
        yield current
        async for update in updates:
            if update.view != view or not (update.all_forums or stream_id in update.stream_ids):
                continue
            latest = await read()
            if latest is None or latest == current:
                continue
            require_valid_token(info)
            await visibility.require_partnership(what)
            current = latest
            yield current


@strawberry.type
class ReportingSubscriptions:
    @strawberry.subscription(
        description="A cohort with its funnel: as it stands, then each time it changes."
    )
    async def cohort_funnel(self, info: Info, cohort_id: UUID) -> AsyncGenerator[Cohort, None]:
        async def read() -> Cohort | None:
            rows = await programmes.cohorts(info.context.services.db, cohort_id=cohort_id)
            return Cohort.from_row(rows[0]) if rows else None

        async for cohort in following(info, "programmes", cohort_id, "cohort", read):
            yield cohort

    @strawberry.subscription(
        description="A social-accounting cycle's status: as it stands, then at each step."
    )
    async def accounting_cycle_status(
        self, info: Info, cycle_id: UUID
    ) -> AsyncGenerator[AccountingCycle, None]:
        async def read() -> AccountingCycle | None:
            row = await accounting_cycles.get_cycle(info.context.services.db, cycle_id)
            return AccountingCycle.from_row(row) if row else None

        async for cycle in following(
            info, "accounting_cycles", cycle_id, "social-accounting cycle", read
        ):
            yield cycle

    @strawberry.subscription(
        description="A mapping survey's progress: as it stands, then each time it moves."
    )
    async def mapping_survey_progress(
        self, info: Info, survey_id: UUID
    ) -> AsyncGenerator[MappingSurvey, None]:
        async def read() -> MappingSurvey | None:
            row = await surveys.get_survey(info.context.services.db, survey_id)
            return MappingSurvey.from_row(row) if row else None

        async for survey in following(info, "surveys", survey_id, "mapping survey", read):
            yield survey
