"""Social-accounting cycle status per organisation (B6): where each cycle stands and how
far its scope, its panel's queries and its audit have come.

Counters grow with the events that add what they count (objectives, stakeholder groups,
indicators, consultations); open queries go up when the panel raises one and down when
it is answered, so a handler never reads a row to write it.
"""

from __future__ import annotations

from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.accounting_parts import CycleStage
from coordination.projections.changes import Writer
from coordination.projections.tables import (
    COUNTER,
    DAY,
    ID,
    INT,
    MOMENT,
    POSITION,
    TEXT,
    Table,
    day,
    occurred,
    uid,
)
from coordination.projections.view import Handler, View

CYCLES = Table(
    "accounting_cycles",
    {
        "cycle_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "organisation_id": ID,
        "period_start": DAY,
        "period_end": DAY,
        "previous_cycle_id": ID,
        "stage": TEXT,
        "purpose": TEXT,
        "objectives": COUNTER,
        "stakeholder_groups": COUNTER,
        "indicators": COUNTER,
        "consultations": COUNTER,
        "open_queries": COUNTER,
        "accounts_version": INT,
        "accounts_hash": TEXT,
        "opinion": TEXT,
        "reservations": TEXT,
        "published_where": TEXT,
        "started_at": MOMENT,
        "updated_at": MOMENT,
    },
    key=("cycle_id",),
    indexes=(("organisation_id", "period_start"), ("partnership_id", "period_start")),
)


def _key(e: AccountingCycle.Event | AccountingCycle.Started) -> dict[str, str | None]:
    return {"cycle_id": uid(e.originator_id)}


def _started(e: AccountingCycle.Started, w: Writer) -> None:
    w.upsert(
        "accounting_cycles",
        _key(e),
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        organisation_id=uid(e.organisation_id),
        period_start=day(e.period_start),
        period_end=day(e.period_end),
        previous_cycle_id=uid(e.previous_cycle_id),
        stage=CycleStage.STARTED.value,
        started_at=occurred(e),
        updated_at=occurred(e),
    )


def _stage(stage: CycleStage) -> Handler:
    def handle(e: AccountingCycle.Event, w: Writer) -> None:
        w.update("accounting_cycles", _key(e), stage=stage.value, updated_at=occurred(e))

    return handle


def _purpose(e: AccountingCycle.PurposeStated, w: Writer) -> None:
    _stage(CycleStage.SCOPING)(e, w)
    w.update("accounting_cycles", _key(e), purpose=e.purpose)


def _statement(e: AccountingCycle.AuditStatementIssued, w: Writer) -> None:
    _stage(CycleStage.STATEMENT_ISSUED)(e, w)
    w.update("accounting_cycles", _key(e), opinion=e.opinion, reservations=e.reservations)


def _published(e: AccountingCycle.AccountsPublished, w: Writer) -> None:
    _stage(CycleStage.PUBLISHED)(e, w)
    w.update("accounting_cycles", _key(e), published_where=e.where)


def _count(column: str, step: int = 1) -> Handler:
    def handle(e: AccountingCycle.Event, w: Writer) -> None:
        w.update("accounting_cycles", _key(e), {column: step}, updated_at=occurred(e))

    return handle


def _touched(e: AccountingCycle.Event, w: Writer) -> None:
    w.update("accounting_cycles", _key(e), updated_at=occurred(e))


def _compiled(e: AccountingCycle.AccountsCompiled, w: Writer) -> None:
    w.update(
        "accounting_cycles",
        _key(e),
        accounts_version=e.accounts_version,
        accounts_hash=e.document_hash,
        updated_at=occurred(e),
    )
    if e.accounts_version == 1:
        # A recompilation before the statement keeps the stage the panel put the cycle at.
        w.update("accounting_cycles", _key(e), stage=CycleStage.ACCOUNTS_COMPILED.value)


C = AccountingCycle
VIEW = View(
    name="accounting_cycles",
    tables=(CYCLES,),
    handlers={
        C.Started.TOPIC: _started,
        C.PurposeStated.TOPIC: _purpose,
        C.ObjectiveStated.TOPIC: _count("objectives"),
        C.ObjectiveImproved.TOPIC: _touched,
        C.StakeholderGroupMapped.TOPIC: _count("stakeholder_groups"),
        C.IndicatorDefined.TOPIC: _count("indicators"),
        C.IndicatorValueRecorded.TOPIC: _touched,
        C.ConsultationRecorded.TOPIC: _count("consultations"),
        C.MaterialityDetermined.TOPIC: _stage(CycleStage.MATERIALITY_DETERMINED),
        C.AccountsCompiled.TOPIC: _compiled,
        C.AuditPanelConvened.TOPIC: _stage(CycleStage.PANEL_CONVENED),
        C.PanelQueryRaised.TOPIC: _count("open_queries"),
        C.PanelQueryAnswered.TOPIC: _count("open_queries", -1),
        C.AuditStatementIssued.TOPIC: _statement,
        C.AccountsPublished.TOPIC: _published,
        C.ActionPlanAdopted.TOPIC: _stage(CycleStage.CLOSED),
    },
)
