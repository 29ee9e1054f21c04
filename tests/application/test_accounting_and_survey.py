"""B6, B7, B9 and B10's documents: the rules that need other streams, on SQLite and
PostgreSQL (the rules of each aggregate alone are tested in tests/unit)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from coordination.application import CommandOptions, Coordination
from coordination.domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from coordination_demo import load_demo
from tests.application.conftest import TODAY, World, secretariat

HASH = "a" * 64
PERIOD = {"period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31)}


def compiled_cycle(app: Coordination, world: World, org: UUID) -> tuple[UUID, UUID]:
    """A cycle of `org` for 2025 with its accounts compiled, and its stakeholder group."""
    ctx = secretariat()
    cycle = app.start_cycle(ctx, world.partnership_id, organisation_id=org, **PERIOD).stream_id
    app.state_purpose(ctx, cycle, purpose="Account for our social value")
    objective = app.state_objective(ctx, cycle, objective="Jobs").created_id
    assert objective is not None
    group = app.map_stakeholder_group(ctx, cycle, name="Participants", interest="Work").created_id
    assert group is not None
    indicator = app.define_indicator(
        ctx, cycle, objective_id=objective, name="Jobs", unit="people"
    ).created_id
    assert indicator is not None
    app.record_consultation(
        ctx, cycle, stakeholder_group_ids=[group], method="Focus group", held_on=TODAY, summary="s"
    )
    app.determine_materiality(ctx, cycle, material_indicator_ids=[indicator], rationale="r")
    app.record_indicator_value(ctx, cycle, indicator_id=indicator, value="7", source="Register")
    app.compile_accounts(ctx, cycle, document_hash=HASH)
    return cycle, group


def closed_cycle(app: Coordination, world: World, org: UUID) -> UUID:
    """A cycle of `org` for 2025 carried to its action plan."""
    ctx = secretariat()
    cycle, group = compiled_cycle(app, world, org)
    app.convene_audit_panel(
        ctx, cycle, chair_id=uuid4(), chair_affiliation_id=None, members=[(uuid4(), group)]
    )
    app.issue_audit_statement(ctx, cycle, opinion="verified", document_hash="b" * 64)
    app.publish_accounts(ctx, cycle, where="Annual report")
    app.adopt_action_plan(ctx, cycle, items=["Ask the employers too"])
    return cycle


def test_a_cycle_is_for_a_current_member_once_per_period(app: Coordination, world: World) -> None:
    ctx, org = secretariat(), world.orgs[0]
    with pytest.raises(NotFound, match="is not a member of this partnership"):
        app.start_cycle(ctx, world.partnership_id, organisation_id=uuid4(), **PERIOD)
    app.start_cycle(ctx, world.partnership_id, organisation_id=org.id, **PERIOD)
    with pytest.raises(RuleViolation, match="already has a social-accounting cycle for the period"):
        app.start_cycle(ctx, world.partnership_id, organisation_id=org.id, **PERIOD)


def test_the_next_cycle_follows_a_closed_one_of_the_same_organisation(
    app: Coordination, world: World
) -> None:
    ctx, org, other = secretariat(), world.orgs[0], world.orgs[1]
    open_cycle = app.start_cycle(ctx, world.partnership_id, organisation_id=org.id, **PERIOD)
    following = {"period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31)}
    with pytest.raises(RuleViolation, match="the previous cycle has no action plan yet"):
        app.start_cycle(
            ctx,
            world.partnership_id,
            organisation_id=org.id,
            previous_cycle_id=open_cycle.stream_id,
            **following,
        )
    previous = closed_cycle(app, world, other.id)
    with pytest.raises(RuleViolation, match="the previous cycle is another organisation's"):
        app.start_cycle(
            ctx,
            world.partnership_id,
            organisation_id=org.id,
            previous_cycle_id=previous,
            **following,
        )
    with pytest.raises(RuleViolation, match="must start after the previous cycle's"):
        app.start_cycle(
            ctx,
            world.partnership_id,
            organisation_id=other.id,
            previous_cycle_id=previous,
            period_start=date(2025, 6, 1),
            period_end=date(2026, 5, 31),
        )
    app.start_cycle(
        ctx, world.partnership_id, organisation_id=other.id, previous_cycle_id=previous, **following
    )


def test_the_chair_does_not_represent_the_audited_organisation(
    app: Coordination, world: World
) -> None:
    org = world.orgs[0]
    cycle, group = compiled_cycle(app, world, org.id)
    before = app.accounting_cycle(cycle).version
    with pytest.raises(RuleViolation, match=f"person {org.rep} represents it"):
        app.convene_audit_panel(
            secretariat(),
            cycle,
            chair_id=org.rep,
            chair_affiliation_id=None,
            members=[(uuid4(), group)],
        )
    assert app.accounting_cycle(cycle).version == before


def test_an_organisation_takes_steps_only_in_its_own_cycle(app: Coordination, world: World) -> None:
    own, other = world.orgs[0], world.orgs[1]
    cycle = app.start_cycle(own.ctx(), world.partnership_id, organisation_id=own.id, **PERIOD)
    app.state_purpose(own.ctx(), cycle.stream_id, purpose="Ours")
    with pytest.raises(Forbidden, match="acts only for its own social-accounting cycle"):
        app.state_objective(other.ctx(), cycle.stream_id, objective="Theirs")
    with pytest.raises(Forbidden, match="acts only for its own"):
        app.start_cycle(other.ctx(), world.partnership_id, organisation_id=own.id, **PERIOD)


def test_a_member_is_invited_as_its_own_kind_and_responds_only_for_itself(
    app: Coordination, world: World
) -> None:
    ctx = secretariat()
    survey = app.design_questionnaire(
        ctx,
        world.partnership_id,
        title="Mapping 2026",
        minimum_cell_size=3,
        questions=[("staff", "How many work for you?", "number")],
    ).stream_id
    app.publish_questionnaire(ctx, survey)
    city, agency = world.orgs[0], world.orgs[1]
    with pytest.raises(InvalidInput, match="kind must be the member's own kind, municipality"):
        app.invite_respondent(
            ctx,
            survey,
            organisation_name="Stockholm city",
            region="Stockholm",
            kind="company",
            member_id=city.id,
        )
    respondent = app.invite_respondent(
        ctx,
        survey,
        organisation_name="Stockholm city",
        region="Stockholm",
        kind="municipality",
        member_id=city.id,
    ).created_id
    assert respondent is not None
    with pytest.raises(Forbidden, match="responds only for itself"):
        app.submit_response(agency.ctx(), survey, respondent_id=respondent, answers=[("staff", 3)])
    app.submit_response(city.ctx(), survey, respondent_id=respondent, answers=[("staff", 3)])
    assert app.mapping_survey(survey).responses[respondent].answers == {"staff": 3}


def test_a_retried_response_with_its_key_records_once(app: Coordination, world: World) -> None:
    ctx = secretariat()
    survey = app.design_questionnaire(
        ctx,
        world.partnership_id,
        title="M",
        minimum_cell_size=3,
        questions=[("staff", "S?", "number")],
    ).stream_id
    app.publish_questionnaire(ctx, survey)
    respondent = app.invite_respondent(
        ctx, survey, organisation_name="Coop", region="Skåne", kind="cooperative"
    ).created_id
    assert respondent is not None
    keyed = CommandOptions(idempotency_key="paper-form-17")
    first = app.submit_response(
        ctx, survey, respondent_id=respondent, answers=[("staff", 3)], options=keyed
    )
    again = app.submit_response(
        ctx, survey, respondent_id=respondent, answers=[("staff", 3)], options=keyed
    )
    assert (first.stream_id, first.version) == (again.stream_id, again.version)


def test_dissemination_names_current_members_only(app: Coordination, world: World) -> None:
    ctx, org = secretariat(), world.orgs[2]
    with pytest.raises(NotFound, match="is not a member"):
        app.plan_dissemination(
            ctx,
            world.partnership_id,
            responsible_id=uuid4(),
            title="Seminar",
            channel="seminar",
            planned_on=TODAY,
            audience_description="Officers",
        )
    activity = app.plan_dissemination(
        ctx,
        world.partnership_id,
        responsible_id=org.id,
        title="Seminar",
        channel="seminar",
        planned_on=TODAY,
        audience_description="Officers",
    ).stream_id
    app.record_dissemination(ctx, activity, held_on=TODAY, reach=30, evidence_hash=HASH)
    with pytest.raises(NotFound, match="is not a member"):
        app.record_uptake(
            ctx, activity, organisation_id=uuid4(), practice="Reserved contracts", adopted_on=TODAY
        )
    with pytest.raises(Forbidden, match="neither responsible for the activity"):
        app.record_uptake(
            world.orgs[3].ctx(),
            activity,
            organisation_id=world.orgs[0].id,
            practice="P",
            adopted_on=TODAY,
        )
    app.record_uptake(
        world.orgs[0].ctx(),
        activity,
        organisation_id=world.orgs[0].id,
        practice="Reserved contracts",
        adopted_on=TODAY,
    )
    app.record_policy_influence(
        ctx,
        activity,
        organisation_id=world.orgs[0].id,
        change="Social criteria in tenders",
        decided_on=TODAY,
        evidence_hash="c" * 64,
    )
    assert app.dissemination(activity).influences == 1


def test_a_document_is_registered_once_and_linked_to_an_event_that_exists(
    app: Coordination, world: World
) -> None:
    ctx = secretariat()
    document = app.register_document(
        ctx,
        world.partnership_id,
        document_hash=HASH,
        kind="minutes",
        retention="programme_audit",
        title="Minutes",
    ).stream_id
    with pytest.raises(RuleViolation, match="already registered, as 'Minutes'"):
        app.register_document(
            ctx,
            world.partnership_id,
            document_hash=HASH.upper(),
            kind="minutes",
            retention="limited",
            title="Again",
        )
    with pytest.raises(NotFound, match="no event at version 99 of stream"):
        app.link_evidence(ctx, document, stream_id=world.partnership_id, stream_version=99)
    app.link_evidence(ctx, document, stream_id=world.partnership_id, stream_version=1)
    with pytest.raises(RuleViolation, match="already evidence of event"):
        app.link_evidence(ctx, document, stream_id=world.partnership_id, stream_version=1)
    linked = list(app.events.get(document))[-1]
    assert linked.event_type == "coordination.partnership.established"
    assert linked.stream_version == 1


def test_the_demo_carries_a_cycle_to_its_statement_a_survey_to_findings_and_a_record(
    app: Coordination,
) -> None:
    summary = load_demo(app, origin="test.example/coordination/log")
    cycle = app.accounting_cycle(summary.ids["cycle"])
    assert (cycle.stage, cycle.opinion) == ("statement_issued", "with_reservations")
    assert app.mapping_survey(summary.ids["survey"]).status == "findings_published"
    activity = app.dissemination(summary.ids["dissemination"])
    assert (activity.status, activity.influences, len(activity.uptakes)) == ("held", 1, 1)
