"""Mutations of B3 done for the caller's organisation: proposals, discussion, proxies, positions.

The organisation is the token's; the domain checks that the caller holds a current
mandate for it (or, for a position, that organisation's proxy on this decision).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import DecisionChange


@strawberry.input(description="Table a proposal in the partnership or a working group.")
class TableProposalInput(CommandInput):
    partnership_id: UUID
    forum_kind: enums.ForumKind
    forum_id: UUID = strawberry.field(description="The partnership's id, or a working group's.")
    title: str
    text: str
    rationale: str
    supersedes: UUID | None = strawberry.field(
        default=None, description="An adopted decision this proposal would replace."
    )


@strawberry.type(description="The proposal was tabled; `createdId` is the decision's id.")
class TableProposalPayload(DecisionChange):
    pass


@strawberry.input(description="Add to a decision's discussion.")
class PostContributionInput(CommandInput):
    decision_id: UUID
    text: str


@strawberry.type(description="The contribution was posted; `createdId` is its id.")
class PostContributionPayload(DecisionChange):
    pass


@strawberry.input(description="Revise a proposal before it is closed.")
class ReviseProposalInput(CommandInput):
    decision_id: UUID
    title: str
    text: str
    rationale: str


@strawberry.type(description="The proposal was revised; earlier positions are flagged.")
class ReviseProposalPayload(DecisionChange):
    pass


@strawberry.input(description="Withdraw a proposal before it is closed.")
class WithdrawProposalInput(CommandInput):
    decision_id: UUID
    reason: str


@strawberry.type(description="The proposal was withdrawn.")
class WithdrawProposalPayload(DecisionChange):
    pass


@strawberry.input(
    description="Let a representative of another member act for the caller's organisation."
)
class GrantProxyInput(CommandInput):
    decision_id: UUID
    proxy_person_id: UUID
    proxy_member_id: UUID = strawberry.field(description="The organisation the proxy represents.")


@strawberry.type(description="The proxy was granted, for this decision only.")
class GrantProxyPayload(DecisionChange):
    pass


@strawberry.input(description="The caller's organisation's position on a called decision.")
class TakePositionInput(CommandInput):
    decision_id: UUID
    position: enums.PositionKind
    reason: str | None = strawberry.field(
        default=None, description="Required to disagree or block."
    )


@strawberry.type(description="The position was taken.")
class TakePositionPayload(DecisionChange):
    pass


@strawberry.input(description="Replace the caller's organisation's position.")
class RevisePositionInput(CommandInput):
    decision_id: UUID
    position: enums.PositionKind
    reason: str | None = None


@strawberry.type(description="The position was revised; the earlier one stays in the history.")
class RevisePositionPayload(DecisionChange):
    pass


TableProposalResult = Annotated[
    TableProposalPayload | CommandError, strawberry.union("TableProposalResult")
]
PostContributionResult = Annotated[
    PostContributionPayload | CommandError, strawberry.union("PostContributionResult")
]
ReviseProposalResult = Annotated[
    ReviseProposalPayload | CommandError, strawberry.union("ReviseProposalResult")
]
WithdrawProposalResult = Annotated[
    WithdrawProposalPayload | CommandError, strawberry.union("WithdrawProposalResult")
]
GrantProxyResult = Annotated[GrantProxyPayload | CommandError, strawberry.union("GrantProxyResult")]
TakePositionResult = Annotated[
    TakePositionPayload | CommandError, strawberry.union("TakePositionResult")
]
RevisePositionResult = Annotated[
    RevisePositionPayload | CommandError, strawberry.union("RevisePositionResult")
]


@strawberry.type
class ProposalMutations:
    @strawberry.mutation(description="Table a proposal, for the caller's organisation.")
    async def table_proposal(self, info: Info, input: TableProposalInput) -> TableProposalResult:
        return await execute(
            info,
            "tableProposal",
            input,
            lambda app, ctx, options: app.table_proposal(
                ctx,
                partnership_id=input.partnership_id,
                forum_kind=input.forum_kind.value,
                forum_id=input.forum_id,
                title=input.title,
                text=input.text,
                rationale=input.rationale,
                supersedes=input.supersedes,
                options=options,
            ),
            TableProposalPayload,
            targets.forum(input.partnership_id, input.forum_kind.value, input.forum_id),
        )

    @strawberry.mutation(description="Post a contribution to the discussion.")
    async def post_contribution(
        self, info: Info, input: PostContributionInput
    ) -> PostContributionResult:
        return await execute(
            info,
            "postContribution",
            input,
            lambda app, ctx, options: app.post_contribution(
                ctx, input.decision_id, text=input.text, options=options
            ),
            PostContributionPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Revise the proposal (its tabling organisation only).")
    async def revise_proposal(self, info: Info, input: ReviseProposalInput) -> ReviseProposalResult:
        return await execute(
            info,
            "reviseProposal",
            input,
            lambda app, ctx, options: app.revise_proposal(
                ctx,
                input.decision_id,
                title=input.title,
                text=input.text,
                rationale=input.rationale,
                options=options,
            ),
            ReviseProposalPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Withdraw the proposal (its tabling organisation only).")
    async def withdraw_proposal(
        self, info: Info, input: WithdrawProposalInput
    ) -> WithdrawProposalResult:
        return await execute(
            info,
            "withdrawProposal",
            input,
            lambda app, ctx, options: app.withdraw_proposal(
                ctx, input.decision_id, reason=input.reason, options=options
            ),
            WithdrawProposalPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Grant a proxy for this decision.")
    async def grant_proxy(self, info: Info, input: GrantProxyInput) -> GrantProxyResult:
        return await execute(
            info,
            "grantProxy",
            input,
            lambda app, ctx, options: app.grant_proxy(
                ctx,
                input.decision_id,
                proxy_person_id=input.proxy_person_id,
                proxy_member_id=input.proxy_member_id,
                options=options,
            ),
            GrantProxyPayload,
            targets.decision(input.decision_id),
        )

    @strawberry.mutation(description="Take the organisation's position on a called decision.")
    async def take_position(self, info: Info, input: TakePositionInput) -> TakePositionResult:
        return await execute(
            info,
            "takePosition",
            input,
            lambda app, ctx, options: app.take_position(
                ctx,
                input.decision_id,
                position=input.position.value,
                reason=input.reason,
                options=options,
            ),
            TakePositionPayload,
            targets.position(input.decision_id),
        )

    @strawberry.mutation(description="Revise the organisation's position.")
    async def revise_position(self, info: Info, input: RevisePositionInput) -> RevisePositionResult:
        return await execute(
            info,
            "revisePosition",
            input,
            lambda app, ctx, options: app.revise_position(
                ctx,
                input.decision_id,
                position=input.position.value,
                reason=input.reason,
                options=options,
            ),
            RevisePositionPayload,
            targets.position(input.decision_id),
        )
