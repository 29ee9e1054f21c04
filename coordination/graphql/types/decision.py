"""The `Decision` node: a proposal and its way to an outcome, with positions by organisation."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import DecisionRule, DecisionStatus, ForumKind
from coordination.graphql.loaders import decision_proxies, first_positions
from coordination.graphql.relay import (
    DEFAULT_PAGE,
    Connection,
    Node,
    check_first,
    connection,
    fetch_page,
    global_id,
)
from coordination.graphql.types.position import Position
from coordination.graphql.types.proxy import Proxy
from coordination.graphql.types.tally import Tally
from coordination.projections.queries import decisions as views

if TYPE_CHECKING:
    from coordination.graphql.types.forum import Forum

Info = strawberry.Info[GraphQLContext, None]
ForumRef = Annotated["Forum", strawberry.lazy("coordination.graphql.types.forum")]


@strawberry.type(description="A decision: tabled, discussed, called, closed, then an outcome.")
class Decision(Node):
    partnership_id: UUID
    forum_kind: ForumKind
    forum_id: UUID
    theme_id: UUID | None
    proposer_id: UUID | None = strawberry.field(description="The organisation that tabled it.")
    title: str
    text: str
    rationale: str
    revision: int
    status: DecisionStatus
    in_force: bool = strawberry.field(description="Adopted and not fully superseded.")
    rule: DecisionRule | None
    quorum_percent: int | None
    threshold_percent: int | None
    called_at: datetime | None
    closes_at: datetime | None
    tally: Tally | None
    quorum_met: bool | None
    rule_met: bool | None
    outcome: str | None
    effective_on: date | None
    review_on: date | None
    adopted_at: datetime | None
    end_reason: str | None
    deferred_until: date | None
    deferral_reason: str | None
    supersedes: UUID | None
    superseded_by: UUID | None
    superseded_in_part_by: list[UUID]
    workshop_id: UUID | None = strawberry.field(description="The meeting it was recorded from.")
    minutes_hash: str | None
    contributions: int = strawberry.field(description="Contributions to the discussion.")
    tabled_at: datetime
    flagged_organisations: list[UUID] = strawberry.field(
        description="Organisations whose position was taken on an earlier revision."
    )
    electorate: list[UUID] = strawberry.field(
        description="The member organisations of the forum when the decision was called."
    )
    withdrawn_organisations: list[UUID] = strawberry.field(
        description="Organisations of the electorate that have withdrawn from the partnership"
        " (for a closed decision: by its closing): they lost their vote."
    )

    @strawberry.field(
        description="Positions, one per organisation; see `counted` for those that do not count."
    )
    async def positions(
        self, info: Info, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Position]:
        check_first(first)
        if after is None:  # a first page: read with the other decisions' (one query)
            page = await fetch_page(lambda: first_positions(info, first).load(self.uuid))
        else:
            page = await fetch_page(
                lambda: views.list_positions(
                    info.context.services.db, self.uuid, first=first, after=after
                )
            )
        return connection(page, Position.from_row)

    @strawberry.field(
        description="Proxies granted for the current call, one at most per member,"
        " in the granting members' order."
    )
    async def proxies(self, info: Info) -> list[Proxy]:
        return [Proxy.from_row(row) for row in await decision_proxies(info).load(self.uuid)]

    @strawberry.field(description="The forum the decision is taken in.")
    async def forum(self, info: Info) -> ForumRef | None:
        from coordination.graphql.types.forums import load_forum

        return await load_forum(info, self.forum_id)

    @classmethod
    def from_row(cls, row: views.DecisionSummary) -> Decision:
        return cls(
            id=global_id("Decision", row.id),
            uuid=row.id,
            partnership_id=row.partnership_id,
            forum_kind=ForumKind(row.forum_kind),
            forum_id=row.forum_id,
            theme_id=row.theme_id,
            proposer_id=row.proposer_id,
            title=row.title,
            text=row.text,
            rationale=row.rationale,
            revision=row.revision,
            status=DecisionStatus(row.status),
            in_force=row.in_force,
            rule=DecisionRule(row.rule) if row.rule else None,
            quorum_percent=row.quorum_percent,
            threshold_percent=row.threshold_percent,
            called_at=row.called_at,
            closes_at=row.closes_at,
            tally=Tally.from_row(row.tally) if row.tally is not None else None,
            quorum_met=row.quorum_met,
            rule_met=row.rule_met,
            outcome=row.outcome,
            effective_on=row.effective_on,
            review_on=row.review_on,
            adopted_at=row.adopted_at,
            end_reason=row.end_reason,
            deferred_until=row.deferred_until,
            deferral_reason=row.deferral_reason,
            supersedes=row.supersedes,
            superseded_by=row.superseded_by,
            superseded_in_part_by=list(row.superseded_in_part_by),
            workshop_id=row.workshop_id,
            minutes_hash=row.minutes_hash,
            contributions=row.contributions,
            tabled_at=row.tabled_at,
            flagged_organisations=list(row.flagged_organisations),
            electorate=list(row.electorate),
            withdrawn_organisations=list(row.withdrawn_organisations),
        )
