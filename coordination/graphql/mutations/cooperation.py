"""Mutations of B8's partner registry: the cooperation agreement, partners and their keys.

All of them are the secretariat's (see `coordination.auth.authorization.matrix`). The
agreement is one per node, so no input names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute
from coordination.graphql.types.partner import Partner
from coordination.projections.queries import partners as views

_SEES = "Audiences of this node's log it may see: `public` and `transnational` at most."


@strawberry.type
class CooperationChange(CommandPayload):
    @strawberry.field(description="The partner partnerships as the views now show them.")
    async def partners(self, info: Info) -> list[Partner]:
        rows = await views.list_partners(info.context.services.db)
        return [Partner.from_row(row) for row in rows]


@strawberry.input(description="A partner partnership of the agreement and what it may see.")
class CooperationPartyInput:
    origin: str = strawberry.field(description="Its node's log origin, e.g. `it.example/log`.")
    sees: list[str] = strawberry.field(description=_SEES)


@strawberry.input(description="Sign the cooperation agreement with the partner partnerships.")
class SignCooperationAgreementInput(CommandInput):
    title: str
    document_hash: str = strawberry.field(description="SHA-256 of the signed document (hex).")
    parties: list[CooperationPartyInput]


@strawberry.type(description="The cooperation agreement was signed (version 1).")
class SignCooperationAgreementPayload(CooperationChange):
    pass


@strawberry.input(description="Amend the cooperation agreement: every party named again.")
class AmendCooperationAgreementInput(CommandInput):
    summary: str
    document_hash: str = strawberry.field(description="SHA-256 of the amended document (hex).")
    parties: list[CooperationPartyInput]


@strawberry.type(description="The cooperation agreement was amended (a new version).")
class AmendCooperationAgreementPayload(CooperationChange):
    pass


@strawberry.input(description="Admit a party of the agreement as a partner node.")
class AdmitPartnerInput(CommandInput):
    origin: str
    name: str
    base_url: str = strawberry.field(description="Where its node is reached (https).")
    sees: list[str] = strawberry.field(description=_SEES)


@strawberry.type(description="The partner was admitted.")
class AdmitPartnerPayload(CooperationChange):
    pass


@strawberry.input(
    description="Register a partner's key: its node key (vkey type 0x01, named by its origin)"
    " or its witness key (type 0x04); the key's type byte says which."
)
class RegisterPartnerKeyInput(CommandInput):
    origin: str
    vkey: str = strawberry.field(description="The verifier key line <name>+<key id>+<key>.")


@strawberry.type(description="The key was registered; it is valid from now on.")
class RegisterPartnerKeyPayload(CooperationChange):
    pass


@strawberry.input(
    description="Replace a partner's key in force of the new key's kind (node or witness)"
    " by the new one, from now on."
)
class RotatePartnerKeyInput(CommandInput):
    origin: str
    vkey: str = strawberry.field(description="The new verifier key line.")


@strawberry.type(description="The key was rotated: the old one was valid until now.")
class RotatePartnerKeyPayload(CooperationChange):
    pass


@strawberry.input(description="Stop trusting a partner's key (node or witness key).")
class RevokePartnerKeyInput(CommandInput):
    origin: str
    key_id: str = strawberry.field(description="The key id, 8 hexadecimal digits.")
    reason: str
    revoked_from: datetime | None = strawberry.field(
        default=None,
        description="From when it is no longer trusted (a compromise found late); now when null.",
    )


@strawberry.type(description="The key was revoked.")
class RevokePartnerKeyPayload(CooperationChange):
    pass


SignCooperationAgreementResult = Annotated[
    SignCooperationAgreementPayload | CommandError,
    strawberry.union("SignCooperationAgreementResult"),
]
AmendCooperationAgreementResult = Annotated[
    AmendCooperationAgreementPayload | CommandError,
    strawberry.union("AmendCooperationAgreementResult"),
]
AdmitPartnerResult = Annotated[
    AdmitPartnerPayload | CommandError, strawberry.union("AdmitPartnerResult")
]
RegisterPartnerKeyResult = Annotated[
    RegisterPartnerKeyPayload | CommandError, strawberry.union("RegisterPartnerKeyResult")
]
RotatePartnerKeyResult = Annotated[
    RotatePartnerKeyPayload | CommandError, strawberry.union("RotatePartnerKeyResult")
]
RevokePartnerKeyResult = Annotated[
    RevokePartnerKeyPayload | CommandError, strawberry.union("RevokePartnerKeyResult")
]


def _parties(given: list[CooperationPartyInput]) -> list[tuple[str, list[str]]]:
    return [(party.origin, party.sees) for party in given]


@strawberry.type
class CooperationMutations:
    @strawberry.mutation(description="Sign the cooperation agreement with the partners.")
    async def sign_cooperation_agreement(
        self, info: Info, input: SignCooperationAgreementInput
    ) -> SignCooperationAgreementResult:
        return await execute(
            info,
            "signCooperationAgreement",
            input,
            lambda app, ctx, options: app.sign_cooperation_agreement(
                ctx,
                title=input.title,
                document_hash=input.document_hash,
                parties=_parties(input.parties),
                options=options,
            ),
            SignCooperationAgreementPayload,
            targets.cooperation(),
        )

    @strawberry.mutation(description="Amend the cooperation agreement.")
    async def amend_cooperation_agreement(
        self, info: Info, input: AmendCooperationAgreementInput
    ) -> AmendCooperationAgreementResult:
        return await execute(
            info,
            "amendCooperationAgreement",
            input,
            lambda app, ctx, options: app.amend_cooperation_agreement(
                ctx,
                summary=input.summary,
                document_hash=input.document_hash,
                parties=_parties(input.parties),
                options=options,
            ),
            AmendCooperationAgreementPayload,
            targets.cooperation(),
        )

    @strawberry.mutation(description="Admit a party of the agreement as a partner node.")
    async def admit_partner(self, info: Info, input: AdmitPartnerInput) -> AdmitPartnerResult:
        return await execute(
            info,
            "admitPartner",
            input,
            lambda app, ctx, options: app.admit_partner(
                ctx,
                origin=input.origin,
                name=input.name,
                base_url=input.base_url,
                sees=input.sees,
                options=options,
            ),
            AdmitPartnerPayload,
            targets.cooperation(),
        )

    @strawberry.mutation(description="Register a partner's key.")
    async def register_partner_key(
        self, info: Info, input: RegisterPartnerKeyInput
    ) -> RegisterPartnerKeyResult:
        return await execute(
            info,
            "registerPartnerKey",
            input,
            lambda app, ctx, options: app.register_partner_key(
                ctx, origin=input.origin, vkey=input.vkey, options=options
            ),
            RegisterPartnerKeyPayload,
            targets.cooperation(),
        )

    @strawberry.mutation(description="Rotate a partner's key.")
    async def rotate_partner_key(
        self, info: Info, input: RotatePartnerKeyInput
    ) -> RotatePartnerKeyResult:
        return await execute(
            info,
            "rotatePartnerKey",
            input,
            lambda app, ctx, options: app.rotate_partner_key(
                ctx, origin=input.origin, vkey=input.vkey, options=options
            ),
            RotatePartnerKeyPayload,
            targets.cooperation(),
        )

    @strawberry.mutation(description="Revoke a partner's key.")
    async def revoke_partner_key(
        self, info: Info, input: RevokePartnerKeyInput
    ) -> RevokePartnerKeyResult:
        return await execute(
            info,
            "revokePartnerKey",
            input,
            lambda app, ctx, options: app.revoke_partner_key(
                ctx,
                origin=input.origin,
                key_id=input.key_id,
                reason=input.reason,
                revoked_from=input.revoked_from,
                options=options,
            ),
            RevokePartnerKeyPayload,
            targets.cooperation(),
        )
