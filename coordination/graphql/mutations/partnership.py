"""Mutations of B1: the partnership, its agreement, members, representatives and themes.

All of them are the secretariat's (see `coordination.auth.authorization.matrix`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.enums import MemberKind
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import PartnershipChange


@strawberry.input(description="Establish the development partnership.")
class EstablishPartnershipInput(CommandInput):
    name: str
    programme: str
    region: str
    period_start: date
    period_end: date


@strawberry.type(description="The partnership was established; `createdId` is its id.")
class EstablishPartnershipPayload(PartnershipChange):
    pass


@strawberry.input(description="Adopt the partnership agreement (version 1).")
class AdoptAgreementInput(CommandInput):
    partnership_id: UUID
    title: str
    document_hash: str = strawberry.field(description="SHA-256 of the signed document (hex).")


@strawberry.type(description="The agreement was adopted.")
class AdoptAgreementPayload(PartnershipChange):
    pass


@strawberry.input(description="Amend the adopted agreement (a new version).")
class AmendAgreementInput(CommandInput):
    partnership_id: UUID
    summary: str
    document_hash: str = strawberry.field(description="SHA-256 of the amended document (hex).")


@strawberry.type(description="The agreement was amended.")
class AmendAgreementPayload(PartnershipChange):
    pass


@strawberry.input(description="Admit a member organisation.")
class AdmitMemberInput(CommandInput):
    partnership_id: UUID
    name: str
    kind: MemberKind


@strawberry.type(description="The organisation was admitted; `createdId` is its member id.")
class AdmitMemberPayload(PartnershipChange):
    pass


@strawberry.input(description="Record that a member organisation withdrew.")
class WithdrawMemberInput(CommandInput):
    partnership_id: UUID
    member_id: UUID
    reason: str


@strawberry.type(description="The member withdrew; its history is kept.")
class WithdrawMemberPayload(PartnershipChange):
    pass


@strawberry.input(description="Give a person a dated mandate to act for a member organisation.")
class AppointRepresentativeInput(CommandInput):
    partnership_id: UUID
    member_id: UUID
    person_id: UUID = strawberry.field(description="Pseudonymous person id.")
    starts_on: date
    ends_on: date | None = None
    alternate: bool = False


@strawberry.type(description="The representative was appointed; `createdId` is the mandate's id.")
class AppointRepresentativePayload(PartnershipChange):
    pass


@strawberry.input(description="End a representative's mandate.")
class EndRepresentationInput(CommandInput):
    partnership_id: UUID
    mandate_id: UUID
    ended_on: date


@strawberry.type(description="The mandate ended.")
class EndRepresentationPayload(PartnershipChange):
    pass


@strawberry.input(description="Define a theme of the partnership.")
class DefineThemeInput(CommandInput):
    partnership_id: UUID
    name: str


@strawberry.type(description="The theme was defined; `createdId` is its id.")
class DefineThemePayload(PartnershipChange):
    pass


@strawberry.input(description="Archive a theme.")
class ArchiveThemeInput(CommandInput):
    partnership_id: UUID
    theme_id: UUID


@strawberry.type(description="The theme was archived.")
class ArchiveThemePayload(PartnershipChange):
    pass


EstablishPartnershipResult = Annotated[
    EstablishPartnershipPayload | CommandError, strawberry.union("EstablishPartnershipResult")
]
AdoptAgreementResult = Annotated[
    AdoptAgreementPayload | CommandError, strawberry.union("AdoptAgreementResult")
]
AmendAgreementResult = Annotated[
    AmendAgreementPayload | CommandError, strawberry.union("AmendAgreementResult")
]
AdmitMemberResult = Annotated[
    AdmitMemberPayload | CommandError, strawberry.union("AdmitMemberResult")
]
WithdrawMemberResult = Annotated[
    WithdrawMemberPayload | CommandError, strawberry.union("WithdrawMemberResult")
]
AppointRepresentativeResult = Annotated[
    AppointRepresentativePayload | CommandError, strawberry.union("AppointRepresentativeResult")
]
EndRepresentationResult = Annotated[
    EndRepresentationPayload | CommandError, strawberry.union("EndRepresentationResult")
]
DefineThemeResult = Annotated[
    DefineThemePayload | CommandError, strawberry.union("DefineThemeResult")
]
ArchiveThemeResult = Annotated[
    ArchiveThemePayload | CommandError, strawberry.union("ArchiveThemeResult")
]


@strawberry.type
class PartnershipMutations:
    @strawberry.mutation(description="Establish the development partnership.")
    async def establish_partnership(
        self, info: Info, input: EstablishPartnershipInput
    ) -> EstablishPartnershipResult:
        return await execute(
            info,
            "establishPartnership",
            input,
            lambda app, ctx, options: app.establish_partnership(
                ctx,
                name=input.name,
                programme=input.programme,
                region=input.region,
                period_start=input.period_start,
                period_end=input.period_end,
                options=options,
            ),
            EstablishPartnershipPayload,
            targets.new_partnership(),
        )

    @strawberry.mutation(description="Adopt the partnership agreement.")
    async def adopt_agreement(self, info: Info, input: AdoptAgreementInput) -> AdoptAgreementResult:
        return await execute(
            info,
            "adoptAgreement",
            input,
            lambda app, ctx, options: app.adopt_agreement(
                ctx,
                input.partnership_id,
                title=input.title,
                document_hash=input.document_hash,
                options=options,
            ),
            AdoptAgreementPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Amend the partnership agreement.")
    async def amend_agreement(self, info: Info, input: AmendAgreementInput) -> AmendAgreementResult:
        return await execute(
            info,
            "amendAgreement",
            input,
            lambda app, ctx, options: app.amend_agreement(
                ctx,
                input.partnership_id,
                summary=input.summary,
                document_hash=input.document_hash,
                options=options,
            ),
            AmendAgreementPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Admit a member organisation: one member, one equal voice.")
    async def admit_member(self, info: Info, input: AdmitMemberInput) -> AdmitMemberResult:
        return await execute(
            info,
            "admitMember",
            input,
            lambda app, ctx, options: app.admit_member(
                ctx, input.partnership_id, name=input.name, kind=input.kind.value, options=options
            ),
            AdmitMemberPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Record that a member withdrew; open decisions lose its vote.")
    async def withdraw_member(self, info: Info, input: WithdrawMemberInput) -> WithdrawMemberResult:
        return await execute(
            info,
            "withdrawMember",
            input,
            lambda app, ctx, options: app.withdraw_member(
                ctx,
                input.partnership_id,
                member_id=input.member_id,
                reason=input.reason,
                options=options,
            ),
            WithdrawMemberPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Appoint a representative of a member organisation.")
    async def appoint_representative(
        self, info: Info, input: AppointRepresentativeInput
    ) -> AppointRepresentativeResult:
        return await execute(
            info,
            "appointRepresentative",
            input,
            lambda app, ctx, options: app.appoint_representative(
                ctx,
                input.partnership_id,
                member_id=input.member_id,
                person_id=input.person_id,
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                alternate=input.alternate,
                options=options,
            ),
            AppointRepresentativePayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="End a representative's mandate.")
    async def end_representation(
        self, info: Info, input: EndRepresentationInput
    ) -> EndRepresentationResult:
        return await execute(
            info,
            "endRepresentation",
            input,
            lambda app, ctx, options: app.end_representation(
                ctx,
                input.partnership_id,
                mandate_id=input.mandate_id,
                ended_on=input.ended_on,
                options=options,
            ),
            EndRepresentationPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Define a theme of the partnership.")
    async def define_theme(self, info: Info, input: DefineThemeInput) -> DefineThemeResult:
        return await execute(
            info,
            "defineTheme",
            input,
            lambda app, ctx, options: app.define_theme(
                ctx, input.partnership_id, name=input.name, options=options
            ),
            DefineThemePayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Archive a theme.")
    async def archive_theme(self, info: Info, input: ArchiveThemeInput) -> ArchiveThemeResult:
        return await execute(
            info,
            "archiveTheme",
            input,
            lambda app, ctx, options: app.archive_theme(
                ctx, input.partnership_id, theme_id=input.theme_id, options=options
            ),
            ArchiveThemePayload,
            targets.partnership(input.partnership_id),
        )
