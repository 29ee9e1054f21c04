"""The node's integrity alarm, for the secretariat and auditors (decision 35)."""

from __future__ import annotations

import strawberry
from anyio import to_thread

from coordination.graphql.cacheability import READS_LIVE
from coordination.graphql.context import GraphQLContext
from coordination.graphql.signed_log import log_unavailable
from coordination.graphql.types.integrity import IntegrityReport

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class IntegrityQueries:
    @strawberry.field(
        description="Whether the node's self-audit found what it stores to disagree with what"
        " it signed: the alarm's state, since when, its findings and the last full pass.",
        metadata=READS_LIVE,
    )
    async def integrity(self, info: Info) -> IntegrityReport | None:
        info.context.visibility.require_everything("the integrity alarm")
        alarm = info.context.services.integrity
        if alarm is None:
            raise log_unavailable()
        return IntegrityReport.of(await to_thread.run_sync(alarm.current))
