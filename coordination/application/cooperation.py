"""Use cases of B8's registry: the cooperation agreement, its partners and their keys.

The agreement is one stream per node (`AGREEMENT_ID`), so none of these commands names
it: signing it a second time is refused (amend it instead), and the others find it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.cooperation import AGREEMENT_ID, CooperationAgreement, Parties
from coordination.domain.errors import NotFound, RuleViolation


class CooperationUseCases(CommandRunner):
    """Commands on the `CooperationAgreement` stream."""

    def sign_cooperation_agreement(
        self,
        ctx: Context,
        *,
        title: str,
        document_hash: str,
        parties: Parties,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        parties = _listed(parties)

        def handle() -> Outcome:
            try:
                signed = self.load(CooperationAgreement, AGREEMENT_ID)
            except NotFound:
                agreement = CooperationAgreement.sign(
                    ctx, title=title, document_hash_hex=document_hash, parties=parties
                )
                return Outcome(agreement, created_id=agreement.id)
            raise RuleViolation(
                f"the cooperation agreement is already signed (version {signed.agreement_version});"
                " amend it instead"
            )

        return self._run(
            ctx,
            "sign_cooperation_agreement",
            handle,
            options,
            title=title,
            document_hash=document_hash,
            parties=[[party, sorted(sees)] for party, sees in parties],
        )

    def amend_cooperation_agreement(
        self,
        ctx: Context,
        *,
        summary: str,
        document_hash: str,
        parties: Parties,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        parties = _listed(parties)

        def handle() -> Outcome:
            agreement = self.cooperation_agreement(options)
            agreement.amend(ctx, summary=summary, document_hash_hex=document_hash, parties=parties)
            return Outcome(agreement)

        return self._run(
            ctx,
            "amend_cooperation_agreement",
            handle,
            options,
            summary=summary,
            document_hash=document_hash,
            parties=[[party, sorted(sees)] for party, sees in parties],
        )

    def admit_partner(
        self,
        ctx: Context,
        *,
        origin: str,
        name: str,
        base_url: str,
        sees: Iterable[str],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        seen = list(sees)

        def handle() -> Outcome:
            agreement = self.cooperation_agreement(options)
            agreement.admit_partner(ctx, partner_origin=origin, name=name, url=base_url, sees=seen)
            return Outcome(agreement)

        return self._run(
            ctx,
            "admit_partner",
            handle,
            options,
            origin=origin,
            name=name,
            base_url=base_url,
            sees=sorted(seen),
        )

    def register_partner_key(
        self, ctx: Context, *, origin: str, vkey: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        def handle() -> Outcome:
            agreement = self.cooperation_agreement(options)
            agreement.register_partner_key(ctx, partner_origin=origin, vkey=vkey)
            return Outcome(agreement)

        return self._run(ctx, "register_partner_key", handle, options, origin=origin, vkey=vkey)

    def rotate_partner_key(
        self, ctx: Context, *, origin: str, vkey: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        def handle() -> Outcome:
            agreement = self.cooperation_agreement(options)
            agreement.rotate_partner_key(ctx, partner_origin=origin, vkey=vkey)
            return Outcome(agreement)

        return self._run(ctx, "rotate_partner_key", handle, options, origin=origin, vkey=vkey)

    def revoke_partner_key(
        self,
        ctx: Context,
        *,
        origin: str,
        key_id: str,
        reason: str,
        revoked_from: datetime | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            agreement = self.cooperation_agreement(options)
            agreement.revoke_partner_key(
                ctx, partner_origin=origin, key_id=key_id, reason=reason, revoked_from=revoked_from
            )
            return Outcome(agreement)

        return self._run(
            ctx,
            "revoke_partner_key",
            handle,
            options,
            origin=origin,
            key_id=key_id,
            reason=reason,
            revoked_from=revoked_from.isoformat() if revoked_from is not None else None,
        )

    def cooperation_agreement(self, options: CommandOptions = NO_OPTIONS) -> CooperationAgreement:
        """The node's agreement, or NotFound saying to sign it first."""
        try:
            return self.load(CooperationAgreement, AGREEMENT_ID, options)
        except NotFound:
            raise NotFound("no cooperation agreement is signed yet: sign it first") from None


def _listed(parties: Parties) -> list[tuple[str, list[str]]]:
    """The parties with their audiences as lists: read for the command's fingerprint
    and again by every attempt of the command."""
    return [(party, list(sees)) for party, sees in parties]
