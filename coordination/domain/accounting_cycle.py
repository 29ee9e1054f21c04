"""B6. A social-accounting cycle: one member organisation's account of its social value
for one period, audited by an independent panel.

The steps come in an enforced order, because each rests on the one before: the purpose
before the objectives it is for; objectives, stakeholder groups, indicators and
consultations while the cycle is being scoped; materiality from what the consultations
said; accounts only once materiality is determined and every material indicator has a
value; an audit panel only over compiled accounts; a statement only once the panel has
had every query answered; publication only of audited accounts; and the action plan,
which feeds the next cycle, last. Once materiality is determined the scope is fixed, so
the panel audits what the stakeholders were consulted on. The organisation's membership,
the chair's independence of it and the previous cycle are checked by the application.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from coordination.domain.accounting_parts import (
    AuditOpinion,
    CycleStage,
    Indicator,
    checked_ids,
    checked_items,
    checked_panel_members,
)
from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.values import (
    TEXT_MAX,
    TITLE_MAX,
    Audience,
    choice,
    document_hash,
    optional_text,
    ordered,
    text,
)
from coordination.domain.values import name as checked_name

_SCOPING = frozenset({CycleStage.SCOPING})
_CONSULTED = frozenset({CycleStage.SCOPING, CycleStage.MATERIALITY_DETERMINED})


class AccountingCycle(CoordinationAggregate):
    """The social-accounting cycle of one organisation for one period."""

    TOPIC = "coordination.accounting_cycle"
    KIND = "social-accounting cycle"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Started(CoordinationAggregate.Created):
        """CycleStarted: for an organisation and period, after its previous cycle, if any."""

        TOPIC = "coordination.accounting_cycle.started"
        partnership_id: UUID
        organisation_id: UUID
        period_start: date
        period_end: date
        previous_cycle_id: UUID | None

        def apply(self, c: AccountingCycle) -> None:
            c.partnership_id, c.organisation_id = self.partnership_id, self.organisation_id
            c.period_start, c.period_end = self.period_start, self.period_end
            c.previous_cycle_id = self.previous_cycle_id

    class PurposeStated(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.purpose_stated"
        purpose: str

        def apply(self, c: AccountingCycle) -> None:
            c.purpose, c.stage = self.purpose, CycleStage.SCOPING.value

    class ObjectiveStated(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.objective_stated"
        objective_id: UUID
        objective: str

        def apply(self, c: AccountingCycle) -> None:
            c.objectives[self.objective_id] = self.objective

    class ObjectiveImproved(CoordinationAggregate.Event):
        """The objective's wording improved, saying why; the earlier wording stays in the log."""

        TOPIC = "coordination.accounting_cycle.objective_improved"
        objective_id: UUID
        objective: str
        reason: str

        def apply(self, c: AccountingCycle) -> None:
            c.objectives[self.objective_id] = self.objective

    class StakeholderGroupMapped(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.stakeholder_group_mapped"
        stakeholder_group_id: UUID
        name: str
        interest: str

        def apply(self, c: AccountingCycle) -> None:
            c.stakeholder_groups[self.stakeholder_group_id] = self.name

    class IndicatorDefined(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.indicator_defined"
        indicator_id: UUID
        objective_id: UUID
        name: str
        unit: str

        def apply(self, c: AccountingCycle) -> None:
            c.indicators[self.indicator_id] = Indicator(self.objective_id, self.name, self.unit)

    class IndicatorValueRecorded(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.indicator_value_recorded"
        indicator_id: UUID
        value: str
        source: str

        def apply(self, c: AccountingCycle) -> None:
            c.values[self.indicator_id] = self.value

    class ConsultationRecorded(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.consultation_recorded"
        consultation_id: UUID
        stakeholder_group_ids: list[UUID]
        method: str
        held_on: date
        summary: str

        def apply(self, c: AccountingCycle) -> None:
            c.consultations += 1

    class MaterialityDetermined(CoordinationAggregate.Event):
        """The indicators that matter to the stakeholders; the cycle's scope is now fixed."""

        TOPIC = "coordination.accounting_cycle.materiality_determined"
        material_indicator_ids: list[UUID]
        rationale: str

        def apply(self, c: AccountingCycle) -> None:
            c.material = list(self.material_indicator_ids)
            c.stage = CycleStage.MATERIALITY_DETERMINED.value

    class AccountsCompiled(CoordinationAggregate.Event):
        """The accounts as a document, by hash; compiled again, before the statement, as a
        new version (answering a panel's query, say)."""

        TOPIC = "coordination.accounting_cycle.accounts_compiled"
        document_hash: str
        accounts_version: int

        def apply(self, c: AccountingCycle) -> None:
            c.accounts_hash, c.accounts_version = self.document_hash, self.accounts_version
            if c.stage == CycleStage.MATERIALITY_DETERMINED:
                c.stage = CycleStage.ACCOUNTS_COMPILED.value

    class AuditPanelConvened(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.audit_panel_convened"
        chair_id: UUID
        chair_affiliation_id: UUID | None
        members: list[dict[str, UUID]]

        def apply(self, c: AccountingCycle) -> None:
            c.chair_id, c.stage = self.chair_id, CycleStage.PANEL_CONVENED.value

    class PanelQueryRaised(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.panel_query_raised"
        query_id: UUID
        query: str

        def apply(self, c: AccountingCycle) -> None:
            c.queries[self.query_id] = False

    class PanelQueryAnswered(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.panel_query_answered"
        query_id: UUID
        answer: str

        def apply(self, c: AccountingCycle) -> None:
            c.queries[self.query_id] = True

    class AuditStatementIssued(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.audit_statement_issued"
        opinion: str
        reservations: str | None
        document_hash: str

        def apply(self, c: AccountingCycle) -> None:
            c.opinion, c.stage = self.opinion, CycleStage.STATEMENT_ISSUED.value

    class AccountsPublished(CoordinationAggregate.Event):
        TOPIC = "coordination.accounting_cycle.accounts_published"
        where: str

        def apply(self, c: AccountingCycle) -> None:
            c.stage = CycleStage.PUBLISHED.value

    class ActionPlanAdopted(CoordinationAggregate.Event):
        """The plan for the next cycle; the cycle is closed."""

        TOPIC = "coordination.accounting_cycle.action_plan_adopted"
        items: list[str]

        def apply(self, c: AccountingCycle) -> None:
            c.action_plan, c.stage = list(self.items), CycleStage.CLOSED.value

    def __init__(self) -> None:
        self.partnership_id = self.organisation_id = UUID(int=0)
        self.period_start = self.period_end = date.min
        self.previous_cycle_id: UUID | None = None
        self.stage = CycleStage.STARTED.value
        self.purpose: str | None = None
        self.objectives: dict[UUID, str] = {}
        self.stakeholder_groups: dict[UUID, str] = {}
        self.indicators: dict[UUID, Indicator] = {}
        self.values: dict[UUID, str] = {}
        self.consultations = 0
        self.material: list[UUID] = []
        self.accounts_hash: str | None = None
        self.accounts_version = 0
        self.chair_id: UUID | None = None
        self.queries: dict[UUID, bool] = {}  # query id -> answered
        self.opinion: str | None = None
        self.action_plan: list[str] = []

    def audience(self) -> str:
        return Audience.PARTNERSHIP.value

    # -- commands ---------------------------------------------------------------

    @classmethod
    def start_cycle(
        cls,
        ctx: Context,
        *,
        id: UUID,
        partnership_id: UUID,
        organisation_id: UUID,
        period_start: date,
        period_end: date,
        previous_cycle_id: UUID | None,
    ) -> AccountingCycle:
        """Start a cycle (the application checked the organisation and the previous cycle)."""
        ordered(period_start, period_end, "period_end")
        return cls.start(
            cls.Started,
            ctx,
            id=id,
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            organisation_id=organisation_id,
            period_start=period_start,
            period_end=period_end,
            previous_cycle_id=previous_cycle_id,
        )

    def state_purpose(self, ctx: Context, *, purpose: str) -> None:
        """State what the accounts are for: the first step, taken once."""
        self._open()
        if self.purpose is not None:
            raise RuleViolation("the cycle's purpose is already stated")
        self.record(self.PurposeStated, ctx, purpose=text(purpose, "purpose", max_length=TEXT_MAX))

    def state_objective(self, ctx: Context, *, objective: str) -> UUID:
        """Add an objective the organisation accounts for; returns its id."""
        self._scoping("objectives")
        objective_id = uuid4()
        self.record(
            self.ObjectiveStated,
            ctx,
            objective_id=objective_id,
            objective=text(objective, "objective", max_length=TEXT_MAX),
        )
        return objective_id

    def improve_objective(
        self, ctx: Context, *, objective_id: UUID, objective: str, reason: str
    ) -> None:
        """Reword an objective, saying why; a rewording that changes nothing is refused."""
        self._scoping("objectives")
        current = self._objective(objective_id)
        improved = text(objective, "objective", max_length=TEXT_MAX)
        if improved == current:
            raise RuleViolation("the improved objective is worded exactly as the current one")
        self.record(
            self.ObjectiveImproved,
            ctx,
            objective_id=objective_id,
            objective=improved,
            reason=text(reason, "reason", max_length=TEXT_MAX),
        )

    def map_stakeholder_group(self, ctx: Context, *, name: str, interest: str) -> UUID:
        """Name a stakeholder group and its interest; returns its id."""
        self._scoping("stakeholder groups")
        if not self.objectives:
            raise RuleViolation("state an objective first: stakeholder groups are mapped to it")
        group_name = checked_name(name, "name", max_length=TITLE_MAX)
        if group_name.casefold() in {
            known.casefold() for known in self.stakeholder_groups.values()
        }:
            raise RuleViolation(f"the stakeholder group '{group_name}' is already mapped")
        group_id = uuid4()
        self.record(
            self.StakeholderGroupMapped,
            ctx,
            stakeholder_group_id=group_id,
            name=group_name,
            interest=text(interest, "interest", max_length=TEXT_MAX),
        )
        return group_id

    def define_indicator(self, ctx: Context, *, objective_id: UUID, name: str, unit: str) -> UUID:
        """Define how an objective is measured; returns the indicator's id."""
        self._scoping("indicators")
        self._objective(objective_id)
        if not self.stakeholder_groups:
            raise RuleViolation("map a stakeholder group first: indicators measure what it values")
        indicator_id = uuid4()
        self.record(
            self.IndicatorDefined,
            ctx,
            indicator_id=indicator_id,
            objective_id=objective_id,
            name=checked_name(name, "name", max_length=TITLE_MAX),
            unit=checked_name(unit, "unit", max_length=TITLE_MAX),
        )
        return indicator_id

    def record_indicator_value(
        self, ctx: Context, *, indicator_id: UUID, value: str, source: str
    ) -> None:
        """Record the indicator's value for the period (a later one replaces it)."""
        self._open()
        if self.stage not in _CONSULTED:
            raise RuleViolation(self._closed_to("indicator values", "before the accounts"))
        self._indicator(indicator_id)
        self.record(
            self.IndicatorValueRecorded,
            ctx,
            indicator_id=indicator_id,
            value=checked_name(value, "value", max_length=TITLE_MAX),
            source=text(source, "source", max_length=TEXT_MAX),
        )

    def record_consultation(
        self,
        ctx: Context,
        *,
        stakeholder_group_ids: Sequence[UUID],
        method: str,
        held_on: date,
        summary: str,
    ) -> UUID:
        """Record a consultation of mapped stakeholder groups, held by today."""
        self._scoping("consultations")
        if not self.indicators:
            raise RuleViolation("define an indicator first: stakeholders are consulted on them")
        groups = checked_ids(
            stakeholder_group_ids, "stakeholder_group_ids", what="stakeholder group"
        )
        for index, group_id in enumerate(groups):
            if group_id not in self.stakeholder_groups:
                raise NotFound(
                    f"stakeholder_group_ids[{index}]: no stakeholder group with id {group_id}"
                    " in this cycle"
                )
        if held_on > ctx.today:
            raise InvalidInput(
                f"{held_on.isoformat()} is after today: record a consultation once held",
                field="held_on",
            )
        consultation_id = uuid4()
        self.record(
            self.ConsultationRecorded,
            ctx,
            consultation_id=consultation_id,
            stakeholder_group_ids=groups,
            method=checked_name(method, "method", max_length=TITLE_MAX),
            held_on=held_on,
            summary=text(summary, "summary", max_length=TEXT_MAX),
        )
        return consultation_id

    def determine_materiality(
        self, ctx: Context, *, material_indicator_ids: Sequence[UUID], rationale: str
    ) -> None:
        """Name the indicators that matter, from the consultations; fixes the scope."""
        self._scoping("materiality")
        if not self.consultations:
            raise RuleViolation(
                "no materiality before a consultation: record what the stakeholders said first"
            )
        material = checked_ids(material_indicator_ids, "material_indicator_ids", what="indicator")
        for indicator_id in material:
            self._indicator(indicator_id)
        self.record(
            self.MaterialityDetermined,
            ctx,
            material_indicator_ids=material,
            rationale=text(rationale, "rationale", max_length=TEXT_MAX),
        )

    def compile_accounts(self, ctx: Context, *, document_hash_hex: str) -> None:
        """Compile the accounts (the document, by hash), or compile them again before the
        audit statement; every material indicator needs its value."""
        self._open()
        allowed = {
            CycleStage.MATERIALITY_DETERMINED,
            CycleStage.ACCOUNTS_COMPILED,
            CycleStage.PANEL_CONVENED,
        }
        if self.stage not in allowed:
            if self.stage in _SCOPING | {CycleStage.STARTED}:
                raise RuleViolation("no accounts before the materiality is determined")
            raise RuleViolation("the audit statement is issued: the accounts are final")
        missing = [self.indicators[i].name for i in self.material if i not in self.values]
        if missing:
            raise RuleViolation(
                "no accounts without a value for every material indicator: missing "
                + ", ".join(f"'{name}'" for name in missing)
            )
        digest = document_hash(document_hash_hex)
        if digest == self.accounts_hash:
            raise RuleViolation("these accounts are already compiled: the document is the same")
        self.record(
            self.AccountsCompiled,
            ctx,
            document_hash=digest,
            accounts_version=self.accounts_version + 1,
        )

    def convene_audit_panel(
        self,
        ctx: Context,
        *,
        chair_id: UUID,
        chair_affiliation_id: UUID | None,
        members: Sequence[tuple[UUID, UUID]],
    ) -> None:
        """Convene the audit panel: an independent chair and members from the stakeholder
        groups (the application checked the chair does not represent the organisation)."""
        self._open()
        if self.stage != CycleStage.ACCOUNTS_COMPILED:
            if self.chair_id is not None:
                raise RuleViolation("the cycle's audit panel is already convened")
            raise RuleViolation("no audit panel before the accounts are compiled")
        if chair_affiliation_id == self.organisation_id:
            raise RuleViolation(
                "the chair must be independent of the organisation whose accounts are audited:"
                " this chair is affiliated with it"
            )
        parsed = checked_panel_members(members)
        for index, member in enumerate(parsed):
            if member["person_id"] == chair_id:
                raise InvalidInput(
                    "is the chair: the chair is not also a member",
                    field=f"members[{index}].person_id",
                )
            if member["stakeholder_group_id"] not in self.stakeholder_groups:
                raise NotFound(
                    f"members[{index}]: no stakeholder group with id"
                    f" {member['stakeholder_group_id']} in this cycle"
                )
        self.record(
            self.AuditPanelConvened,
            ctx,
            chair_id=chair_id,
            chair_affiliation_id=chair_affiliation_id,
            members=parsed,
        )

    def raise_panel_query(self, ctx: Context, *, query: str) -> UUID:
        """The panel asks the organisation something about its accounts; returns its id."""
        self._panel_sitting("queries")
        query_id = uuid4()
        self.record(
            self.PanelQueryRaised,
            ctx,
            query_id=query_id,
            query=text(query, "query", max_length=TEXT_MAX),
        )
        return query_id

    def answer_panel_query(self, ctx: Context, *, query_id: UUID, answer: str) -> None:
        """The organisation answers one of the panel's queries, once."""
        self._panel_sitting("answers")
        answered = self.queries.get(query_id)
        if answered is None:
            raise NotFound(f"no panel query with id {query_id} in this cycle")
        if answered:
            raise RuleViolation(f"the panel query {query_id} is already answered")
        self.record(
            self.PanelQueryAnswered,
            ctx,
            query_id=query_id,
            answer=text(answer, "answer", max_length=TEXT_MAX),
        )

    def issue_audit_statement(
        self, ctx: Context, *, opinion: str, reservations: str | None, document_hash_hex: str
    ) -> None:
        """The panel's statement: verified, or with reservations (which it must state)."""
        self._open()
        if self.stage != CycleStage.PANEL_CONVENED:
            if self.opinion is not None:
                raise RuleViolation("the cycle's audit statement is already issued")
            raise RuleViolation("no audit statement before an audit panel is convened")
        open_queries = sum(1 for answered in self.queries.values() if not answered)
        if open_queries:
            raise RuleViolation(
                f"no audit statement while {open_queries} panel quer"
                f"{'y waits' if open_queries == 1 else 'ies wait'} for an answer"
            )
        parsed = choice(opinion, AuditOpinion, "opinion")
        stated = optional_text(reservations, "reservations")
        if parsed is AuditOpinion.WITH_RESERVATIONS and stated is None:
            raise InvalidInput(
                "must state the reservations of such a statement", field="reservations"
            )
        if parsed is AuditOpinion.VERIFIED and stated is not None:
            raise InvalidInput(
                "must be left out of a verified statement (issue it with reservations)",
                field="reservations",
            )
        self.record(
            self.AuditStatementIssued,
            ctx,
            opinion=parsed.value,
            reservations=stated,
            document_hash=document_hash(document_hash_hex),
        )

    def publish_accounts(self, ctx: Context, *, where: str) -> None:
        """Publish the audited accounts, saying where they can be read."""
        self._open()
        if self.stage != CycleStage.STATEMENT_ISSUED:
            if self.stage == CycleStage.PUBLISHED:
                raise RuleViolation("the accounts are already published")
            raise RuleViolation("no publication before the audit statement is issued")
        self.record(self.AccountsPublished, ctx, where=text(where, "where", max_length=TITLE_MAX))

    def adopt_action_plan(self, ctx: Context, *, items: Sequence[str]) -> None:
        """Adopt the action plan for the next cycle; closes this one."""
        self._open()
        if self.stage != CycleStage.PUBLISHED:
            raise RuleViolation("no action plan before the accounts are published")
        self.record(self.ActionPlanAdopted, ctx, items=checked_items(items, "items"))

    # -- checks -----------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.stage == CycleStage.CLOSED

    def _open(self) -> None:
        if self.closed:
            raise RuleViolation(
                "the cycle is closed: its action plan is adopted (start the next cycle)"
            )

    def _scoping(self, what: str) -> None:
        self._open()
        if self.stage == CycleStage.STARTED:
            raise RuleViolation(f"state the cycle's purpose first: {what} come after it")
        if self.stage not in _SCOPING:
            raise RuleViolation(self._closed_to(what, "while the cycle is scoped"))

    def _panel_sitting(self, what: str) -> None:
        self._open()
        if self.stage != CycleStage.PANEL_CONVENED:
            if self.chair_id is None:
                raise RuleViolation(f"no panel {what} before an audit panel is convened")
            raise RuleViolation(f"the audit statement is issued: the panel takes no more {what}")

    def _closed_to(self, what: str, when: str) -> str:
        return f"{what} are recorded {when}; the cycle is at '{self.stage}'"

    def _objective(self, objective_id: UUID) -> str:
        found = self.objectives.get(objective_id)
        if found is None:
            raise NotFound(f"no objective with id {objective_id} in this cycle")
        return found

    def _indicator(self, indicator_id: UUID) -> Indicator:
        found = self.indicators.get(indicator_id)
        if found is None:
            raise NotFound(f"no indicator with id {indicator_id} in this cycle")
        return found
