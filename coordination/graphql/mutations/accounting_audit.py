"""Mutations of B6 from the accounts on: the audit panel, its statement, publication, the plan."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import reporting_targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(description="A member of the audit panel, from a stakeholder group.")
class PanelMemberInput:
    person_id: UUID
    stakeholder_group_id: UUID


@strawberry.input(
    description="Compile the accounts, or a new version of them before the statement."
)
class CompileAccountsInput(CommandInput):
    cycle_id: UUID
    document_hash: str = strawberry.field(description="The SHA-256 of the accounts.")


@strawberry.type(description="The accounts were compiled.")
class CompileAccountsPayload(CommandPayload):
    pass


@strawberry.input(
    description="Convene the audit panel: an independent chair and stakeholder members."
)
class ConveneAuditPanelInput(CommandInput):
    cycle_id: UUID
    chair_id: UUID
    chair_affiliation_id: UUID | None = strawberry.field(
        default=None, description="The organisation the chair belongs to, if any."
    )
    members: list[PanelMemberInput]


@strawberry.type(description="The panel was convened.")
class ConveneAuditPanelPayload(CommandPayload):
    pass


@strawberry.input(description="The panel asks the organisation about its accounts.")
class RaisePanelQueryInput(CommandInput):
    cycle_id: UUID
    query: str


@strawberry.type(description="The query was raised; `createdId` is its id.")
class RaisePanelQueryPayload(CommandPayload):
    pass


@strawberry.input(description="Answer one of the panel's queries, once.")
class AnswerPanelQueryInput(CommandInput):
    cycle_id: UUID
    query_id: UUID
    answer: str


@strawberry.type(description="The query was answered.")
class AnswerPanelQueryPayload(CommandPayload):
    pass


@strawberry.input(description="The panel's statement on the accounts.")
class IssueAuditStatementInput(CommandInput):
    cycle_id: UUID
    opinion: enums.AuditOpinion
    reservations: str | None = strawberry.field(
        default=None, description="Required with reservations, left out otherwise."
    )
    document_hash: str = strawberry.field(description="The SHA-256 of the statement.")


@strawberry.type(description="The statement was issued.")
class IssueAuditStatementPayload(CommandPayload):
    pass


@strawberry.input(description="Publish the audited accounts, saying where they can be read.")
class PublishAccountsInput(CommandInput):
    cycle_id: UUID
    where: str


@strawberry.type(description="The accounts were published.")
class PublishAccountsPayload(CommandPayload):
    pass


@strawberry.input(description="Adopt the action plan for the next cycle; closes this one.")
class AdoptActionPlanInput(CommandInput):
    cycle_id: UUID
    items: list[str]


@strawberry.type(description="The action plan was adopted; the cycle is closed.")
class AdoptActionPlanPayload(CommandPayload):
    pass


CompileAccountsResult = Annotated[
    CompileAccountsPayload | CommandError, strawberry.union("CompileAccountsResult")
]
ConveneAuditPanelResult = Annotated[
    ConveneAuditPanelPayload | CommandError, strawberry.union("ConveneAuditPanelResult")
]
RaisePanelQueryResult = Annotated[
    RaisePanelQueryPayload | CommandError, strawberry.union("RaisePanelQueryResult")
]
AnswerPanelQueryResult = Annotated[
    AnswerPanelQueryPayload | CommandError, strawberry.union("AnswerPanelQueryResult")
]
IssueAuditStatementResult = Annotated[
    IssueAuditStatementPayload | CommandError, strawberry.union("IssueAuditStatementResult")
]
PublishAccountsResult = Annotated[
    PublishAccountsPayload | CommandError, strawberry.union("PublishAccountsResult")
]
AdoptActionPlanResult = Annotated[
    AdoptActionPlanPayload | CommandError, strawberry.union("AdoptActionPlanResult")
]


@strawberry.type
class AccountingAuditMutations:
    @strawberry.mutation(description="Compile a cycle's accounts.")
    async def compile_accounts(
        self, info: Info, input: CompileAccountsInput
    ) -> CompileAccountsResult:
        return await execute(
            info,
            "compileAccounts",
            input,
            lambda app, ctx, options: app.compile_accounts(
                ctx, input.cycle_id, document_hash=input.document_hash, options=options
            ),
            CompileAccountsPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Convene a cycle's audit panel.")
    async def convene_audit_panel(
        self, info: Info, input: ConveneAuditPanelInput
    ) -> ConveneAuditPanelResult:
        return await execute(
            info,
            "conveneAuditPanel",
            input,
            lambda app, ctx, options: app.convene_audit_panel(
                ctx,
                input.cycle_id,
                chair_id=input.chair_id,
                chair_affiliation_id=input.chair_affiliation_id,
                members=[(m.person_id, m.stakeholder_group_id) for m in input.members],
                options=options,
            ),
            ConveneAuditPanelPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Raise a query of a cycle's panel.")
    async def raise_panel_query(
        self, info: Info, input: RaisePanelQueryInput
    ) -> RaisePanelQueryResult:
        return await execute(
            info,
            "raisePanelQuery",
            input,
            lambda app, ctx, options: app.raise_panel_query(
                ctx, input.cycle_id, query=input.query, options=options
            ),
            RaisePanelQueryPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Answer a query of a cycle's panel.")
    async def answer_panel_query(
        self, info: Info, input: AnswerPanelQueryInput
    ) -> AnswerPanelQueryResult:
        return await execute(
            info,
            "answerPanelQuery",
            input,
            lambda app, ctx, options: app.answer_panel_query(
                ctx, input.cycle_id, query_id=input.query_id, answer=input.answer, options=options
            ),
            AnswerPanelQueryPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Issue a cycle's audit statement.")
    async def issue_audit_statement(
        self, info: Info, input: IssueAuditStatementInput
    ) -> IssueAuditStatementResult:
        return await execute(
            info,
            "issueAuditStatement",
            input,
            lambda app, ctx, options: app.issue_audit_statement(
                ctx,
                input.cycle_id,
                opinion=input.opinion.value,
                reservations=input.reservations,
                document_hash=input.document_hash,
                options=options,
            ),
            IssueAuditStatementPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Publish a cycle's accounts.")
    async def publish_accounts(
        self, info: Info, input: PublishAccountsInput
    ) -> PublishAccountsResult:
        return await execute(
            info,
            "publishAccounts",
            input,
            lambda app, ctx, options: app.publish_accounts(
                ctx, input.cycle_id, where=input.where, options=options
            ),
            PublishAccountsPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Adopt a cycle's action plan.")
    async def adopt_action_plan(
        self, info: Info, input: AdoptActionPlanInput
    ) -> AdoptActionPlanResult:
        return await execute(
            info,
            "adoptActionPlan",
            input,
            lambda app, ctx, options: app.adopt_action_plan(
                ctx, input.cycle_id, items=input.items, options=options
            ),
            AdoptActionPlanPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )
