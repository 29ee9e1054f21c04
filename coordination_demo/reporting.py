"""The demo's reporting: a social-accounting cycle carried to its audit statement, a
mapping survey with its findings, and a dissemination activity with its uptake and
policy influence, its evidence registered as documents."""

from __future__ import annotations

from datetime import date, timedelta

from coordination_demo.loader import DemoSummary, Loader, created
from coordination_demo.story import MEMBERS, START, person

#: Where the mapping survey's respondents work: every kind of member, three counties.
REGIONS = ("Stockholms län", "Uppsala län", "Västra Götalands län")


def account(ld: Loader, out: DemoSummary) -> None:
    """Vägen ut! kooperativen's social accounts for 2025, audited with reservations."""
    ld.at(340)
    app = ld.app
    coop = out.ids["member:Vägen ut! kooperativen"]
    ctx = ld.ctx(coop)
    cycle = app.start_cycle(
        ctx,
        out.partnership_id,
        organisation_id=coop,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        options=ld.key("cycle"),
    ).stream_id
    out.ids["cycle"] = cycle
    app.state_purpose(
        ctx, cycle, purpose="Show the value our work places create", options=ld.key("purpose")
    )
    jobs = created(
        app.state_objective(
            ctx, cycle, objective="People far from work find a place", options=ld.key("objective")
        )
    )
    workers = created(
        app.map_stakeholder_group(
            ctx, cycle, name="Co-workers", interest="Work and belonging", options=ld.key("group")
        )
    )
    indicator = created(
        app.define_indicator(
            ctx,
            cycle,
            objective_id=jobs,
            name="Co-workers in paid work",
            unit="people",
            options=ld.key("indicator"),
        )
    )
    app.record_consultation(
        ctx,
        cycle,
        stakeholder_group_ids=[workers],
        method="Dialogue meeting",
        held_on=ld.clock.date(),
        summary="Paid work and a place to belong matter most",
        options=ld.key("consultation"),
    )
    app.determine_materiality(
        ctx,
        cycle,
        material_indicator_ids=[indicator],
        rationale="Named first by co-workers",
        options=ld.key("materiality"),
    )
    app.record_indicator_value(
        ctx,
        cycle,
        indicator_id=indicator,
        value="23",
        source="Payroll",
        options=ld.key("value"),
    )
    app.compile_accounts(ctx, cycle, document_hash="1" * 64, options=ld.key("accounts"))
    ld.at(350)
    app.convene_audit_panel(
        ld.ctx(),
        cycle,
        chair_id=person("panel chair"),
        chair_affiliation_id=out.ids["member:ABF Stockholm"],
        members=[(person("panel co-worker"), workers)],
        options=ld.key("panel"),
    )
    query = created(
        app.raise_panel_query(
            ld.ctx(),
            cycle,
            query="How is paid work counted for part-time co-workers?",
            options=ld.key("query"),
        )
    )
    app.answer_panel_query(
        ctx,
        cycle,
        query_id=query,
        answer="Any paid hours in December count",
        options=ld.key("answer"),
    )
    app.issue_audit_statement(
        ld.ctx(),
        cycle,
        opinion="with_reservations",
        document_hash="2" * 64,
        reservations="Part-time work counted generously",
        options=ld.key("statement"),
    )


def survey(ld: Loader, out: DemoSummary) -> None:
    """The national mapping survey: every member kind in three counties, and its findings."""
    ld.at(305)
    app, ctx = ld.app, ld.ctx()
    mapping = app.design_questionnaire(
        ctx,
        out.partnership_id,
        title="Mapping of the social economy 2025",
        minimum_cell_size=3,
        questions=[
            ("staff", "How many people work for you?", "number"),
            ("sells_to_municipality", "Do you sell to a municipality?", "yes_no"),
        ],
        options=ld.key("survey"),
    ).stream_id
    out.ids["survey"] = mapping
    app.publish_questionnaire(ctx, mapping, options=ld.key("survey:publish"))
    for index, (region, (_, kind)) in enumerate(
        (region, member) for region in REGIONS for member in MEMBERS
    ):
        respondent = created(
            app.invite_respondent(
                ctx,
                mapping,
                organisation_name=f"Respondent {index + 1}",
                region=region,
                kind=kind,
                options=ld.key(f"survey:invite:{index}"),
            )
        )
        app.submit_response(
            ctx,
            mapping,
            respondent_id=respondent,
            answers=[("staff", 3 + index % 7), ("sells_to_municipality", 1)],
            options=ld.key(f"survey:respond:{index}"),
        )
        app.validate_response(
            ctx, mapping, respondent_id=respondent, options=ld.key(f"survey:validate:{index}")
        )
    ld.at(312)
    app.close_survey(ld.ctx(), mapping, options=ld.key("survey:close"))
    app.publish_findings(ld.ctx(), mapping, grouping="kind", options=ld.key("survey:findings"))


def disseminate(ld: Loader, out: DemoSummary) -> None:
    """A seminar on social clauses, taken up by Huddinge and changing Stockholm's tenders."""
    ld.at(316)
    app, coompanion = ld.app, out.ids["member:Coompanion Stockholm"]
    activity = app.plan_dissemination(
        ld.ctx(coompanion),
        out.partnership_id,
        responsible_id=coompanion,
        title="Social clauses in municipal tenders",
        channel="seminar",
        planned_on=(START + timedelta(days=320)).date(),
        audience_description="Procurement officers of the county's municipalities",
        options=ld.key("dissemination"),
    ).stream_id
    out.ids["dissemination"] = activity
    ld.at(321)
    minutes = app.register_document(
        ld.ctx(),
        out.partnership_id,
        document_hash="3" * 64,
        kind="minutes",
        retention="programme_audit",
        title="Seminar minutes",
        options=ld.key("document"),
    ).stream_id
    app.record_dissemination(
        ld.ctx(coompanion),
        activity,
        held_on=ld.clock.date() - timedelta(days=1),
        reach=46,
        evidence_hash="3" * 64,
        options=ld.key("dissemination:held"),
    )
    app.link_evidence(
        ld.ctx(), minutes, stream_id=activity, stream_version=2, options=ld.key("evidence")
    )
    huddinge, city = out.ids["member:Huddinge kommun"], out.ids["member:Stockholms stad"]
    ld.at(330)
    app.record_uptake(
        ld.ctx(huddinge),
        activity,
        organisation_id=huddinge,
        practice="Reserved contracts for work-integration enterprises",
        adopted_on=ld.clock.date(),
        options=ld.key("uptake"),
    )
    app.record_policy_influence(
        ld.ctx(city),
        activity,
        organisation_id=city,
        change="Social criteria weigh 20% in care-service tenders",
        decided_on=ld.clock.date(),
        evidence_hash="4" * 64,
        options=ld.key("influence"),
    )
