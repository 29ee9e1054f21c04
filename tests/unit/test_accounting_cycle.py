"""B6: a social-accounting cycle's enforced order, one test per rule (the domain alone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.accounting_parts import CycleStage
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
CTX = Context(actor=str(uuid4()), origin="test.example/coordination/log", occurred_at=NOW)
ORG = uuid4()
ACCOUNTS, STATEMENT = "a" * 64, "b" * 64


def started() -> AccountingCycle:
    return AccountingCycle.start_cycle(
        CTX,
        id=uuid4(),
        partnership_id=uuid4(),
        organisation_id=ORG,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        previous_cycle_id=None,
    )


def scoped() -> tuple[AccountingCycle, UUID, UUID, UUID]:
    """A cycle with a purpose, an objective, a stakeholder group and an indicator."""
    cycle = started()
    cycle.state_purpose(CTX, purpose="Account for the value of our care-work course")
    objective = cycle.state_objective(CTX, objective="Participants find work in care")
    group = cycle.map_stakeholder_group(CTX, name="Participants", interest="Work and language")
    indicator = cycle.define_indicator(
        CTX, objective_id=objective, name="Employed after six months", unit="participants"
    )
    return cycle, objective, group, indicator


def consulted() -> tuple[AccountingCycle, UUID, UUID]:
    cycle, _, group, indicator = scoped()
    cycle.record_consultation(
        CTX,
        stakeholder_group_ids=[group],
        method="Focus group",
        held_on=NOW.date(),
        summary="Work matters most",
    )
    return cycle, group, indicator


def compiled() -> tuple[AccountingCycle, UUID]:
    cycle, group, indicator = consulted()
    cycle.determine_materiality(CTX, material_indicator_ids=[indicator], rationale="Said so")
    cycle.record_indicator_value(CTX, indicator_id=indicator, value="12", source="Follow-up")
    cycle.compile_accounts(CTX, document_hash_hex=ACCOUNTS)
    return cycle, group


def panelled() -> AccountingCycle:
    cycle, group = compiled()
    cycle.convene_audit_panel(
        CTX, chair_id=uuid4(), chair_affiliation_id=uuid4(), members=[(uuid4(), group)]
    )
    return cycle


def test_a_cycle_runs_in_order_to_its_action_plan() -> None:
    cycle = panelled()
    query = cycle.raise_panel_query(CTX, query="How was employment checked?")
    cycle.answer_panel_query(CTX, query_id=query, answer="By the employment agency's register")
    cycle.issue_audit_statement(
        CTX, opinion="verified", reservations=None, document_hash_hex=STATEMENT
    )
    cycle.publish_accounts(CTX, where="Annual report 2026, page 12")
    cycle.adopt_action_plan(CTX, items=["Follow up at twelve months"])
    assert cycle.stage == CycleStage.CLOSED
    assert cycle.action_plan == ["Follow up at twelve months"]
    topics = [type(e).__name__ for e in cycle.collect_events()]
    assert (topics[0], topics[-1]) == ("Started", "ActionPlanAdopted")
    assert len(topics) == 15


def test_the_period_ends_after_it_starts() -> None:
    with pytest.raises(InvalidInput, match="period_end must be after the start"):
        AccountingCycle.start_cycle(
            CTX,
            id=uuid4(),
            partnership_id=uuid4(),
            organisation_id=ORG,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 1),
            previous_cycle_id=None,
        )


def test_the_purpose_comes_first_and_is_stated_once() -> None:
    cycle = started()
    with pytest.raises(RuleViolation, match="state the cycle's purpose first"):
        cycle.state_objective(CTX, objective="Jobs")
    cycle.state_purpose(CTX, purpose="Why")
    with pytest.raises(RuleViolation, match="purpose is already stated"):
        cycle.state_purpose(CTX, purpose="Why again")


def test_an_improved_objective_must_change_and_exist() -> None:
    cycle, objective, _, _ = scoped()
    with pytest.raises(RuleViolation, match="worded exactly as the current one"):
        cycle.improve_objective(
            CTX, objective_id=objective, objective="Participants find work in care", reason="x"
        )
    with pytest.raises(NotFound, match="no objective with id"):
        cycle.improve_objective(CTX, objective_id=uuid4(), objective="Other", reason="x")
    cycle.improve_objective(
        CTX, objective_id=objective, objective="Participants find paid work", reason="Clearer"
    )
    assert cycle.objectives[objective] == "Participants find paid work"


def test_stakeholder_groups_follow_an_objective_and_are_mapped_once() -> None:
    cycle = started()
    cycle.state_purpose(CTX, purpose="Why")
    with pytest.raises(RuleViolation, match="state an objective first"):
        cycle.map_stakeholder_group(CTX, name="Participants", interest="Work")
    cycle.state_objective(CTX, objective="Jobs")
    cycle.map_stakeholder_group(CTX, name="Participants", interest="Work")
    with pytest.raises(RuleViolation, match="'PARTICIPANTS' is already mapped"):
        cycle.map_stakeholder_group(CTX, name="PARTICIPANTS", interest="Work")


def test_an_indicator_measures_a_known_objective_after_a_stakeholder_group() -> None:
    cycle = started()
    cycle.state_purpose(CTX, purpose="Why")
    objective = cycle.state_objective(CTX, objective="Jobs")
    with pytest.raises(RuleViolation, match="map a stakeholder group first"):
        cycle.define_indicator(CTX, objective_id=objective, name="Jobs", unit="people")
    cycle.map_stakeholder_group(CTX, name="Participants", interest="Work")
    with pytest.raises(NotFound, match="no objective"):
        cycle.define_indicator(CTX, objective_id=uuid4(), name="Jobs", unit="people")


def test_a_value_is_for_a_defined_indicator() -> None:
    cycle, _, _, _ = scoped()
    with pytest.raises(NotFound, match="no indicator with id"):
        cycle.record_indicator_value(CTX, indicator_id=uuid4(), value="3", source="Register")


def test_a_consultation_needs_an_indicator_known_groups_and_a_past_day() -> None:
    cycle = started()
    cycle.state_purpose(CTX, purpose="Why")
    cycle.state_objective(CTX, objective="Jobs")
    group = cycle.map_stakeholder_group(CTX, name="Participants", interest="Work")
    consult = {"method": "Survey", "held_on": NOW.date(), "summary": "Fine"}
    with pytest.raises(RuleViolation, match="define an indicator first"):
        cycle.record_consultation(CTX, stakeholder_group_ids=[group], **consult)  # type: ignore[arg-type]
    cycle, _, group, _ = scoped()
    with pytest.raises(NotFound, match=r"stakeholder_group_ids\[1\]: no stakeholder group"):
        cycle.record_consultation(CTX, stakeholder_group_ids=[group, uuid4()], **consult)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"held_on .* is after today"):
        cycle.record_consultation(
            CTX,
            stakeholder_group_ids=[group],
            method="Survey",
            held_on=NOW.date() + timedelta(days=1),
            summary="Not yet",
        )


def test_no_materiality_before_a_consultation() -> None:
    cycle, _, _, indicator = scoped()
    with pytest.raises(RuleViolation, match="no materiality before a consultation"):
        cycle.determine_materiality(CTX, material_indicator_ids=[indicator], rationale="x")


def test_materiality_fixes_the_scope() -> None:
    cycle, group, indicator = consulted()
    cycle.determine_materiality(CTX, material_indicator_ids=[indicator], rationale="x")
    with pytest.raises(RuleViolation, match="objectives are recorded while the cycle is scoped"):
        cycle.state_objective(CTX, objective="Late")
    with pytest.raises(RuleViolation, match="consultations are recorded while the cycle"):
        cycle.record_consultation(
            CTX, stakeholder_group_ids=[group], method="m", held_on=NOW.date(), summary="s"
        )


def test_no_accounts_before_materiality_nor_without_every_material_value() -> None:
    cycle, _, indicator = consulted()
    with pytest.raises(RuleViolation, match="no accounts before the materiality is determined"):
        cycle.compile_accounts(CTX, document_hash_hex=ACCOUNTS)
    cycle.determine_materiality(CTX, material_indicator_ids=[indicator], rationale="x")
    with pytest.raises(RuleViolation, match="missing 'Employed after six months'"):
        cycle.compile_accounts(CTX, document_hash_hex=ACCOUNTS)


def test_accounts_compiled_again_are_a_new_version_until_the_statement() -> None:
    cycle = panelled()
    with pytest.raises(RuleViolation, match="already compiled: the document is the same"):
        cycle.compile_accounts(CTX, document_hash_hex=ACCOUNTS)
    cycle.compile_accounts(CTX, document_hash_hex="c" * 64)
    assert cycle.accounts_version == 2
    cycle.issue_audit_statement(
        CTX, opinion="verified", reservations=None, document_hash_hex=STATEMENT
    )
    with pytest.raises(RuleViolation, match="the accounts are final"):
        cycle.compile_accounts(CTX, document_hash_hex="d" * 64)


def test_no_panel_before_the_accounts() -> None:
    cycle, group, _ = consulted()
    with pytest.raises(RuleViolation, match="no audit panel before the accounts are compiled"):
        cycle.convene_audit_panel(
            CTX, chair_id=uuid4(), chair_affiliation_id=None, members=[(uuid4(), group)]
        )


def test_a_panel_needs_an_independent_chair() -> None:
    cycle, group = compiled()
    with pytest.raises(RuleViolation, match="the chair must be independent"):
        cycle.convene_audit_panel(
            CTX, chair_id=uuid4(), chair_affiliation_id=ORG, members=[(uuid4(), group)]
        )
    chair = uuid4()
    with pytest.raises(InvalidInput, match=r"members\[0\].person_id is the chair"):
        cycle.convene_audit_panel(
            CTX, chair_id=chair, chair_affiliation_id=None, members=[(chair, group)]
        )
    assert cycle.stage == CycleStage.ACCOUNTS_COMPILED  # nothing recorded


def test_a_panel_has_stakeholder_members_from_mapped_groups() -> None:
    cycle, _ = compiled()
    with pytest.raises(InvalidInput, match="members must list at least one member"):
        cycle.convene_audit_panel(CTX, chair_id=uuid4(), chair_affiliation_id=None, members=[])
    with pytest.raises(NotFound, match=r"members\[0\]: no stakeholder group"):
        cycle.convene_audit_panel(
            CTX, chair_id=uuid4(), chair_affiliation_id=None, members=[(uuid4(), uuid4())]
        )


def test_queries_need_a_panel_and_are_answered_once() -> None:
    cycle, _ = compiled()
    with pytest.raises(RuleViolation, match="no panel queries before an audit panel"):
        cycle.raise_panel_query(CTX, query="Why?")
    cycle = panelled()
    query = cycle.raise_panel_query(CTX, query="Why?")
    with pytest.raises(NotFound, match="no panel query"):
        cycle.answer_panel_query(CTX, query_id=uuid4(), answer="Because")
    cycle.answer_panel_query(CTX, query_id=query, answer="Because")
    with pytest.raises(RuleViolation, match="already answered"):
        cycle.answer_panel_query(CTX, query_id=query, answer="Again")


def test_no_statement_before_a_panel_nor_while_a_query_is_open() -> None:
    cycle, _ = compiled()
    statement = {"opinion": "verified", "reservations": None, "document_hash_hex": STATEMENT}
    with pytest.raises(RuleViolation, match="no audit statement before an audit panel"):
        cycle.issue_audit_statement(CTX, **statement)  # type: ignore[arg-type]
    cycle = panelled()
    cycle.raise_panel_query(CTX, query="Why?")
    with pytest.raises(RuleViolation, match="while 1 panel query waits for an answer"):
        cycle.issue_audit_statement(CTX, **statement)  # type: ignore[arg-type]


def test_a_statement_with_reservations_states_them() -> None:
    cycle = panelled()
    with pytest.raises(InvalidInput, match="reservations must state the reservations"):
        cycle.issue_audit_statement(
            CTX, opinion="with_reservations", reservations=" ", document_hash_hex=STATEMENT
        )
    with pytest.raises(InvalidInput, match="reservations must be left out of a verified"):
        cycle.issue_audit_statement(
            CTX, opinion="verified", reservations="But", document_hash_hex=STATEMENT
        )
    with pytest.raises(InvalidInput, match="opinion 'fine' is not one of"):
        cycle.issue_audit_statement(
            CTX, opinion="fine", reservations=None, document_hash_hex=STATEMENT
        )
    cycle.issue_audit_statement(
        CTX, opinion="with_reservations", reservations="Sample small", document_hash_hex=STATEMENT
    )
    assert cycle.opinion == "with_reservations"
    with pytest.raises(RuleViolation, match="no more queries"):
        cycle.raise_panel_query(CTX, query="Late")


def test_no_publication_before_the_statement_and_no_plan_before_publication() -> None:
    cycle = panelled()
    with pytest.raises(RuleViolation, match="no publication before the audit statement"):
        cycle.publish_accounts(CTX, where="Website")
    with pytest.raises(RuleViolation, match="no action plan before the accounts are published"):
        cycle.adopt_action_plan(CTX, items=["More"])


def test_a_closed_cycle_accepts_nothing() -> None:
    cycle = panelled()
    cycle.issue_audit_statement(
        CTX, opinion="verified", reservations=None, document_hash_hex=STATEMENT
    )
    cycle.publish_accounts(CTX, where="Website")
    with pytest.raises(InvalidInput, match="items must hold at least one item"):
        cycle.adopt_action_plan(CTX, items=[])
    cycle.adopt_action_plan(CTX, items=["More"])
    with pytest.raises(RuleViolation, match="the cycle is closed"):
        cycle.publish_accounts(CTX, where="Again")
    with pytest.raises(RuleViolation, match="the cycle is closed"):
        cycle.state_purpose(CTX, purpose="Again")
