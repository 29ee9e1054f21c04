"""Mutations of B3 that run a forum's decision: calling, closing, outcomes, supersession.

The secretariat runs them everywhere; a convenor in the working groups it convenes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.domain.decision_rules import DEFAULT_THRESHOLD
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import DecisionChange


@strawberry.input(description="Call the decision: the forum's members become its electorate.")
class CallDecisionInput(CommandInput):
    decision_id: UUID
    rule: enums.DecisionRule | None = strawberry.field(
        default=None, description="Defaults to a working group's charter rule."
    )
    quorum_percent: int
    closes_at: datetime
    threshold_percent: int = strawberry.field(
        default=DEFAULT_THRESHOLD, description="The agreement a qualified majority needs."
    )


@strawberry.type(description="The decision was called.")
class CallDecisionPayload(DecisionChange):
    pass


@strawberry.input(description="Seal the vote and record its tally.")
class CloseDecisionInput(CommandInput):
    decision_id: UUID


@strawberry.type(description="The decision was closed and sealed.")
class CloseDecisionPayload(DecisionChange):
    pass


@strawberry.input(description="Adopt a closed decision whose rule is met.")
class AdoptDecisionInput(CommandInput):
    decision_id: UUID
    outcome: str
    effective_on: date
    review_on: date | None = None


@strawberry.type(description="The decision was adopted.")
class AdoptDecisionPayload(DecisionChange):
    pass


@strawberry.input(description="Reject a closed decision whose rule is not met.")
class RejectDecisionInput(CommandInput):
    decision_id: UUID
    reason: str


@strawberry.type(description="The decision was rejected.")
class RejectDecisionPayload(DecisionChange):
    pass


@strawberry.input(description="Put the decision back on the table until a later date.")
class DeferDecisionInput(CommandInput):
    decision_id: UUID
    until: date
    reason: str


@strawberry.type(description="The decision was deferred; a call in progress lapsed.")
class DeferDecisionPayload(DecisionChange):
    pass


@strawberry.input(description="Record that a later adopted decision replaces this one.")
class SupersedeDecisionInput(CommandInput):
    decision_id: UUID
    by_decision_id: UUID
    scope: enums.SupersedeScope
    note: str


@strawberry.type(description="The decision was superseded; it stays readable.")
class SupersedeDecisionPayload(DecisionChange):
    pass


@strawberry.input(description="Record, as adopted, a decision taken at a meeting.")
class RecordDecisionFromMinutesInput(CommandInput):
    partnership_id: UUID
    forum_kind: enums.ForumKind
    forum_id: UUID
    workshop_id: UUID = strawberry.field(description="The meeting whose approved minutes hold it.")
    title: str
    text: str
    outcome: str
    effective_on: date


@strawberry.type(description="The decision was recorded; `createdId` is its id.")
class RecordDecisionFromMinutesPayload(DecisionChange):
    pass


CallDecisionResult = Annotated[
    CallDecisionPayload | CommandError, strawberry.union("CallDecisionResult")
]
CloseDecisionResult = Annotated[
    CloseDecisionPayload | CommandError, strawberry.union("CloseDecisionResult")
]
AdoptDecisionResult = Annotated[
    AdoptDecisionPayload | CommandError, strawberry.union("AdoptDecisionResult")
]
RejectDecisionResult = Annotated[
    RejectDecisionPayload | CommandError, strawberry.union("RejectDecisionResult")
]
DeferDecisionResult = Annotated[
    DeferDecisionPayload | CommandError, strawberry.union("DeferDecisionResult")
]
SupersedeDecisionResult = Annotated[
    SupersedeDecisionPayload | CommandError, strawberry.union("SupersedeDecisionResult")
]
RecordDecisionFromMinutesResult = Annotated[
    RecordDecisionFromMinutesPayload | CommandError,
    strawberry.union("RecordDecisionFromMinutesResult"),
]


@strawberry.type
class OutcomeMutations:
    @strawberry.mutation(description="Call the decision.")
    async def call_decision(self, info: Info, input: CallDecisionInput) -> CallDecisionResult:
        return await execute(
            info,
            "callDecision",
            input,
            lambda app, ctx, options: app.call_decision(
                ctx,
                input.decision_id,
                rule=input.rule.value if input.rule else None,
                quorum_percent=input.quorum_percent,
                closes_at=input.closes_at,
                threshold_percent=input.threshold_percent,
                options=options,
            ),
            CallDecisionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Close the decision and seal its tally.")
    async def close_decision(self, info: Info, input: CloseDecisionInput) -> CloseDecisionResult:
        return await execute(
            info,
            "closeDecision",
            input,
            lambda app, ctx, options: app.close_decision(ctx, input.decision_id, options=options),
            CloseDecisionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Adopt the decision.")
    async def adopt_decision(self, info: Info, input: AdoptDecisionInput) -> AdoptDecisionResult:
        return await execute(
            info,
            "adoptDecision",
            input,
            lambda app, ctx, options: app.adopt_decision(
                ctx,
                input.decision_id,
                outcome=input.outcome,
                effective_on=input.effective_on,
                review_on=input.review_on,
                options=options,
            ),
            AdoptDecisionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Reject the decision.")
    async def reject_decision(self, info: Info, input: RejectDecisionInput) -> RejectDecisionResult:
        return await execute(
            info,
            "rejectDecision",
            input,
            lambda app, ctx, options: app.reject_decision(
                ctx, input.decision_id, reason=input.reason, options=options
            ),
            RejectDecisionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Defer the decision.")
    async def defer_decision(self, info: Info, input: DeferDecisionInput) -> DeferDecisionResult:
        return await execute(
            info,
            "deferDecision",
            input,
            lambda app, ctx, options: app.defer_decision(
                ctx, input.decision_id, until=input.until, reason=input.reason, options=options
            ),
            DeferDecisionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Record that a later adopted decision supersedes this one.")
    async def supersede_decision(
        self, info: Info, input: SupersedeDecisionInput
    ) -> SupersedeDecisionResult:
        return await execute(
            info,
            "supersedeDecision",
            input,
            lambda app, ctx, options: app.supersede_decision(
                ctx,
                input.decision_id,
                by_decision_id=input.by_decision_id,
                scope=input.scope.value,
                note=input.note,
                options=options,
            ),
            SupersedeDecisionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Record a decision taken at a meeting, from its minutes.")
    async def record_decision_from_minutes(
        self, info: Info, input: RecordDecisionFromMinutesInput
    ) -> RecordDecisionFromMinutesResult:
        return await execute(
            info,
            "recordDecisionFromMinutes",
            input,
            lambda app, ctx, options: app.record_decision_from_minutes(
                ctx,
                partnership_id=input.partnership_id,
                forum_kind=input.forum_kind.value,
                forum_id=input.forum_id,
                workshop_id=input.workshop_id,
                title=input.title,
                text=input.text,
                outcome=input.outcome,
                effective_on=input.effective_on,
                options=options,
            ),
            RecordDecisionFromMinutesPayload,
            targets.forum(input.partnership_id, input.forum_kind.value, input.forum_id),
        )
