"""Use cases of B6 from the accounts on: compiling them, the independent audit panel,
its queries and statement, publication and the action plan that feeds the next cycle.

The chair of the audit panel must not represent the audited organisation, which only the
partnership knows; the rest of the order is the cycle's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from coordination.application.accounting.steps import CycleSteps
from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult
from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.context import Context
from coordination.domain.errors import RuleViolation
from coordination.domain.partnership import Partnership


class CycleAuditUseCases(CycleSteps):
    """Commands of B6 from the accounts to the action plan."""

    def compile_accounts(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        document_hash: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Compile the accounts (the document, by its SHA-256), or a new version of them."""
        return self._cycle_step(
            ctx,
            "compile_accounts",
            cycle_id,
            options,
            AccountingCycle.compile_accounts,
            document_hash_hex=document_hash,
        )

    def convene_audit_panel(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        chair_id: UUID,
        chair_affiliation_id: UUID | None,
        members: Sequence[tuple[UUID, UUID]],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Convene the audit panel; its chair must not represent the audited organisation."""

        def convene(cycle: AccountingCycle, ctx: Context, **arguments: Any) -> None:
            partnership = self.load(Partnership, cycle.partnership_id)
            if partnership.represents(chair_id, cycle.organisation_id, ctx.today):
                raise RuleViolation(
                    "the chair must be independent of the organisation whose accounts are"
                    f" audited: person {chair_id} represents it"
                )
            cycle.convene_audit_panel(ctx, **arguments)

        return self._cycle_step(
            ctx,
            "convene_audit_panel",
            cycle_id,
            options,
            convene,
            chair_id=chair_id,
            chair_affiliation_id=chair_affiliation_id,
            members=[tuple(member) for member in members],
        )

    def raise_panel_query(
        self, ctx: Context, cycle_id: UUID, *, query: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """The panel asks about the accounts; `created_id` is the query's id."""
        return self._cycle_step(
            ctx,
            "raise_panel_query",
            cycle_id,
            options,
            AccountingCycle.raise_panel_query,
            query=query,
        )

    def answer_panel_query(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        query_id: UUID,
        answer: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """The organisation answers a query of the panel."""
        return self._cycle_step(
            ctx,
            "answer_panel_query",
            cycle_id,
            options,
            AccountingCycle.answer_panel_query,
            query_id=query_id,
            answer=answer,
        )

    def issue_audit_statement(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        opinion: str,
        document_hash: str,
        reservations: str | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """The panel's statement on the accounts: verified, or with reservations."""
        return self._cycle_step(
            ctx,
            "issue_audit_statement",
            cycle_id,
            options,
            AccountingCycle.issue_audit_statement,
            opinion=opinion,
            reservations=reservations,
            document_hash_hex=document_hash,
        )

    def publish_accounts(
        self, ctx: Context, cycle_id: UUID, *, where: str, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Publish the audited accounts, saying where they can be read."""
        return self._cycle_step(
            ctx,
            "publish_accounts",
            cycle_id,
            options,
            AccountingCycle.publish_accounts,
            where=where,
        )

    def adopt_action_plan(
        self,
        ctx: Context,
        cycle_id: UUID,
        *,
        items: Sequence[str],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Adopt the action plan for the next cycle; closes this one."""
        return self._cycle_step(
            ctx,
            "adopt_action_plan",
            cycle_id,
            options,
            AccountingCycle.adopt_action_plan,
            items=list(items),
        )
