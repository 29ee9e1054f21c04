"""The demo's later steps: a workshop where municipal representatives meet the social
economy, and a working group's decision later superseded by another."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from coordination_demo.loader import DemoSummary, Loader, created
from coordination_demo.story import PROCUREMENT_GROUP, REGISTRANTS, START


def hold_workshop(ld: Loader, out: DemoSummary) -> None:
    """A workshop planned, held and minuted, with a follow-up action."""
    ld.at(100)
    app, pid = ld.app, out.partnership_id
    groups = [out.ids[f"group:{i}"] for i in range(3)]
    starts = START + timedelta(days=130, hours=4)
    workshop = app.plan_workshop(
        ld.ctx(),
        partnership_id=pid,
        organiser_group_ids=groups,
        organiser_partners=[],
        theme_id=out.ids["theme:Support services"],
        title="Municipal representatives meet the social economy",
        format="in_person",
        venue="Stockholm city hall, Stockholm",
        capacity=40,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        audience_description="municipal representatives and social-economy actors",
        options=ld.key("workshop"),
    ).stream_id
    out.ids["workshop"] = workshop
    app.set_agenda(
        ld.ctx(),
        workshop,
        items=[
            "Welcome and purpose",
            "Why social enterprises lose tenders: findings so far",
            "Alternative finance for cooperatives",
            "Next steps together",
        ],
        options=ld.key("agenda"),
    )
    attendees: list[tuple[UUID, UUID]] = []
    for name, role in REGISTRANTS:
        member = out.ids[f"member:{name}"]
        app.invite(
            ld.ctx(),
            workshop,
            invitee_kind="organisation",
            invitee_id=member,
            options=ld.key(f"invite:{name}"),
        )
        app.register(
            ld.ctx(),
            workshop,
            person_id=ld.reps[member],
            organisation_id=member,
            role=role,
            options=ld.key(f"register:{name}"),
        )
        attendees.append((ld.reps[member], member))
    ld.clock = starts + timedelta(hours=1)
    app.hold_workshop(ld.ctx(), workshop, options=ld.key("hold"))
    app.record_attendance(ld.ctx(), workshop, attendees=attendees[:-1], options=ld.key("attend"))
    ld.at(135)
    app.draft_minutes(
        ld.ctx(),
        workshop,
        text=(
            "Five organisations met. Agreed: municipalities will test social clauses in two "
            "tenders; Coompanion presents a guarantee-fund model at the next meeting."
        ),
        options=ld.key("minutes"),
    )
    app.approve_minutes(ld.ctx(), workshop, options=ld.key("minutes:approve"))
    follow_up = app.raise_follow_up(
        ld.ctx(),
        workshop,
        description="Present a guarantee-fund model for cooperatives",
        owner_id=out.ids["member:Coompanion Stockholm"],
        group_id=groups[2],
        due_on=ld.clock.date() + timedelta(days=45),
        options=ld.key("follow-up"),
    )
    out.ids["follow-up"] = created(follow_up)


def _decide(
    ld: Loader, out: DemoSummary, key: str, proposal: tuple[str, str], supersedes: UUID | None
) -> UUID:
    app, pid, group = ld.app, out.partnership_id, out.ids["group:1"]
    title, text = proposal
    decision = app.table_proposal(
        ld.ctx(out.ids["member:Stockholms stad"]),
        partnership_id=pid,
        forum_kind="working_group",
        forum_id=group,
        title=title,
        text=text,
        rationale="Findings of the tender study",
        supersedes=supersedes,
        options=ld.key(f"{key}:table"),
    ).stream_id
    app.post_contribution(
        ld.ctx(out.ids["member:Vägen ut! kooperativen"]),
        decision,
        text="Small cooperatives need lots small enough to bid on.",
        options=ld.key(f"{key}:contribution"),
    )
    app.call_decision(
        ld.ctx(),
        decision,
        rule="consent",
        quorum_percent=50,
        closes_at=ld.clock + timedelta(days=14),
        options=ld.key(f"{key}:call"),
    )
    ld.clock += timedelta(days=2)
    for number, name in enumerate(PROCUREMENT_GROUP):
        member = out.ids[f"member:{name}"]
        app.take_position(
            ld.ctx(member),
            decision,
            position="abstain" if number == len(PROCUREMENT_GROUP) - 1 else "agree",
            options=ld.key(f"{key}:position:{name}"),
        )
    app.close_decision(ld.ctx(), decision, options=ld.key(f"{key}:close"))
    app.adopt_decision(
        ld.ctx(),
        decision,
        outcome=title,
        effective_on=ld.clock.date(),
        options=ld.key(f"{key}:adopt"),
    )
    return decision


def take_decisions(ld: Loader, out: DemoSummary) -> None:
    """A recommendation adopted, and a later one that supersedes it."""
    ld.at(150)
    first = _decide(
        ld,
        out,
        "decision:1",
        (
            "Recommend social clauses in municipal tenders",
            "The group recommends that member municipalities use social clauses.",
        ),
        None,
    )
    out.ids["decision:1"] = first
    ld.at(300)
    out.ids["decision:2"] = _decide(
        ld,
        out,
        "decision:2",
        (
            "Recommend social clauses and reserved contracts",
            "Superseding the earlier recommendation: social clauses, and contracts reserved "
            "for work-integration social enterprises where the law allows.",
        ),
        first,
    )
