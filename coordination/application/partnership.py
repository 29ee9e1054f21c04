"""Use cases of B1: the partnership, its agreement, members, representatives and themes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.partnership import Partnership


class PartnershipUseCases(CommandRunner):
    """Commands on the `Partnership` stream."""

    def establish_partnership(
        self,
        ctx: Context,
        *,
        name: str,
        programme: str,
        region: str,
        period_start: date,
        period_end: date,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = Partnership.establish(
                ctx,
                name=name,
                programme=programme,
                region=region,
                period_start=period_start,
                period_end=period_end,
            )
            return Outcome(partnership, created_id=partnership.id)

        return self._run(
            ctx,
            "establish_partnership",
            handle,
            options,
            name=name,
            programme=programme,
            region=region,
            period_start=period_start,
            period_end=period_end,
        )

    def adopt_agreement(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        title: str,
        document_hash: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            partnership.adopt_agreement(ctx, title=title, document_hash_hex=document_hash)
            return Outcome(partnership)

        return self._run(
            ctx,
            "adopt_agreement",
            handle,
            options,
            partnership_id=partnership_id,
            title=title,
            document_hash=document_hash,
        )

    def amend_agreement(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        summary: str,
        document_hash: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            partnership.amend_agreement(ctx, summary=summary, document_hash_hex=document_hash)
            return Outcome(partnership)

        return self._run(
            ctx,
            "amend_agreement",
            handle,
            options,
            partnership_id=partnership_id,
            summary=summary,
            document_hash=document_hash,
        )

    def admit_member(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        name: str,
        kind: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            member_id = partnership.admit_member(ctx, name=name, kind=kind)
            return Outcome(partnership, created_id=member_id)

        return self._run(
            ctx,
            "admit_member",
            handle,
            options,
            partnership_id=partnership_id,
            name=name,
            kind=kind,
        )

    def withdraw_member(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        member_id: UUID,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            partnership.withdraw_member(ctx, member_id=member_id, reason=reason)
            return Outcome(partnership)

        return self._run(
            ctx,
            "withdraw_member",
            handle,
            options,
            partnership_id=partnership_id,
            member_id=member_id,
            reason=reason,
        )

    def appoint_representative(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        member_id: UUID,
        person_id: UUID,
        starts_on: date,
        ends_on: date | None = None,
        alternate: bool = False,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            mandate_id = partnership.appoint_representative(
                ctx,
                member_id=member_id,
                person_id=person_id,
                starts_on=starts_on,
                ends_on=ends_on,
                alternate=alternate,
            )
            return Outcome(partnership, created_id=mandate_id)

        return self._run(
            ctx,
            "appoint_representative",
            handle,
            options,
            partnership_id=partnership_id,
            member_id=member_id,
            person_id=person_id,
            starts_on=starts_on,
            ends_on=ends_on,
            alternate=alternate,
        )

    def end_representation(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        mandate_id: UUID,
        ended_on: date,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            partnership.end_representation(ctx, mandate_id=mandate_id, ended_on=ended_on)
            return Outcome(partnership)

        return self._run(
            ctx,
            "end_representation",
            handle,
            options,
            partnership_id=partnership_id,
            mandate_id=mandate_id,
            ended_on=ended_on,
        )

    def define_theme(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        name: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            return Outcome(partnership, created_id=partnership.define_theme(ctx, name=name))

        return self._run(
            ctx, "define_theme", handle, options, partnership_id=partnership_id, name=name
        )

    def archive_theme(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        theme_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        def handle() -> Outcome:
            partnership = self.load(Partnership, partnership_id, options)
            partnership.archive_theme(ctx, theme_id=theme_id)
            return Outcome(partnership)

        return self._run(
            ctx,
            "archive_theme",
            handle,
            options,
            partnership_id=partnership_id,
            theme_id=theme_id,
        )

    def partnership(self, partnership_id: UUID) -> Partnership:
        """The partnership's current state (for checks and for tests)."""
        return self.load(Partnership, partnership_id)
