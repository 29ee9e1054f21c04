"""The demo partnership, from the source article: Stockholm county's development
partnership for the social economy, its members of every kind, three themes, the three
support-service working groups with their actions, a workshop where municipal
representatives meet the social economy, and a decision later superseded by another.

Persons are pseudonymous ids derived from a label (no names: the article's people are
real, and personal data arrives only encrypted, with the personal-data issue). Business
times are fixed, so every load tells the same story.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from rich.console import Console
from rich.progress import Progress

from coordination.application import CommandOptions, CommandResult, Coordination
from coordination.domain.context import Context

_PEOPLE = uuid5(NAMESPACE_URL, "urn:coordination:demo:person")
START = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)

MEMBERS = [
    ("Stockholms stad", "municipality"),
    ("Huddinge kommun", "municipality"),
    ("Arbetsförmedlingen Stockholm", "public_agency"),
    ("Länsstyrelsen i Stockholms län", "public_agency"),
    ("Vårdföretaget Omsorg i Stockholm AB", "company"),
    ("Stockholms Stadsmission", "association"),
    ("Verdandi Stockholm", "association"),
    ("Coompanion Stockholm", "cooperative"),
    ("Vägen ut! kooperativen", "social_enterprise"),
    ("ABF Stockholm", "study_association"),
    ("Invandrarföreningarnas samverkansråd", "other"),
]

GROUPS = [
    (
        "Local economic development / democracy and integration",
        "Economic development, democracy and integration in the county's municipalities",
        [
            "Stockholms stad",
            "Huddinge kommun",
            "Verdandi Stockholm",
            "Coompanion Stockholm",
            "Invandrarföreningarnas samverkansråd",
        ],
        [("Map the support needs of new social enterprises in three municipalities", 90)],
    ),
    (
        "Business development / public procurement",
        "Do social enterprises lose public tenders, and why; what must change in procurement",
        [
            "Stockholms stad",
            "Länsstyrelsen i Stockholms län",
            "Vägen ut! kooperativen",
            "Coompanion Stockholm",
            "Vårdföretaget Omsorg i Stockholm AB",
        ],
        [
            ("Study of tender outcomes for social enterprises 2023-2025", 120),
            ("Draft model social clauses for municipal tenders", 150),
        ],
    ),
    (
        "Economy, financing and credit",
        "Alternative finance for social enterprises, since banks often refuse loans",
        [
            "Arbetsförmedlingen Stockholm",
            "Stockholms Stadsmission",
            "Coompanion Stockholm",
            "Vägen ut! kooperativen",
            "ABF Stockholm",
        ],
        [("Survey of micro-credit and guarantee schemes open to cooperatives", 100)],
    ),
]


def person(label: str) -> UUID:
    """A stable pseudonymous id for a demo person."""
    return uuid5(_PEOPLE, label)


@dataclass
class DemoSummary:
    partnership_id: UUID
    commands: int = 0
    events: int = 0
    ids: dict[str, UUID] = field(default_factory=dict)


class _Loader:
    def __init__(self, app: Coordination, origin: str) -> None:
        self.app, self.origin = app, origin
        self.clock = START
        self.commands = 0
        self.reps: dict[UUID, UUID] = {}  # member -> its representative

    def at(self, days: float) -> None:
        self.clock = START + timedelta(days=days)

    def ctx(self, member: UUID | None = None) -> Context:
        if member is None:
            return Context(
                actor=str(person("secretariat")), origin=self.origin, occurred_at=self.clock
            )
        return Context(
            actor=str(self.reps[member]),
            origin=self.origin,
            acting_for=member,
            occurred_at=self.clock,
        )

    def key(self, name: str) -> CommandOptions:
        """Every demo command carries a key, so a demo load interrupted half-way can resume."""
        self.commands += 1
        return CommandOptions(idempotency_key=f"demo:{name}")


def load_demo(app: Coordination, *, origin: str, console: Console | None = None) -> DemoSummary:
    """Load the demo partnership through the application's use cases."""
    loader = _Loader(app, origin)
    steps: list[tuple[str, Callable[[_Loader, DemoSummary], None]]] = [
        ("partnership and agreement", _partnership),
        ("members and representatives", _members),
        ("working groups and actions", _groups),
        ("workshop", _workshop),
        ("decisions", _decisions),
    ]
    summary = DemoSummary(partnership_id=UUID(int=0))
    before = app.recorder.max_notification_id() or 0
    with Progress(console=console or Console(stderr=True), transient=True) as progress:
        task = progress.add_task("loading the demo partnership", total=len(steps))
        for label, step in steps:
            progress.update(task, description=f"demo: {label}")
            step(loader, summary)
            progress.advance(task)
    summary.commands = loader.commands
    summary.events = (app.recorder.max_notification_id() or 0) - before
    return summary


def _partnership(ld: _Loader, out: DemoSummary) -> None:
    ld.at(0)
    app = ld.app
    pid = app.establish_partnership(
        ld.ctx(),
        name="Stockholms läns utvecklingspartnerskap för social ekonomi (slup.se)",
        programme="EQUAL",
        region="Stockholm county",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
        options=ld.key("establish"),
    ).stream_id
    out.partnership_id = pid
    app.adopt_agreement(
        ld.ctx(),
        pid,
        title="Partnership agreement",
        document_hash="5f1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff0",
        options=ld.key("agreement"),
    )
    for theme in ("Education", "Support services", "Social accounting"):
        created = app.define_theme(ld.ctx(), pid, name=theme, options=ld.key(f"theme:{theme}"))
        out.ids[f"theme:{theme}"] = _created(created)


def _created(result: CommandResult) -> UUID:
    assert result.created_id is not None
    return result.created_id


def _members(ld: _Loader, out: DemoSummary) -> None:
    ld.at(3)
    app, pid = ld.app, out.partnership_id
    for name, kind in MEMBERS:
        member = _created(
            app.admit_member(ld.ctx(), pid, name=name, kind=kind, options=ld.key(f"member:{name}"))
        )
        out.ids[f"member:{name}"] = member
        rep = person(f"representative of {name}")
        app.appoint_representative(
            ld.ctx(),
            pid,
            member_id=member,
            person_id=rep,
            starts_on=ld.clock.date(),
            options=ld.key(f"mandate:{name}"),
        )
        ld.reps[member] = rep


def _groups(ld: _Loader, out: DemoSummary) -> None:
    ld.at(20)
    app, pid, theme = ld.app, out.partnership_id, out.ids["theme:Support services"]
    for index, (name, purpose, members, actions) in enumerate(GROUPS):
        group = app.convene_working_group(
            ld.ctx(),
            pid,
            theme_id=theme,
            name=name,
            purpose=purpose,
            decides="Recommendations to the partnership and the group's own work plan",
            default_rule="consent",
            options=ld.key(f"group:{name}"),
        ).stream_id
        out.ids[f"group:{index}"] = group
        member_ids = [out.ids[f"member:{m}"] for m in members]
        for member in member_ids:
            app.join_working_group(ld.ctx(member), group, options=ld.key(f"join:{index}:{member}"))
        convenor_org = member_ids[0]
        app.appoint_convenor(
            ld.ctx(),
            group,
            person_id=ld.reps[convenor_org],
            member_id=convenor_org,
            options=ld.key(f"convenor:{index}"),
        )
        for number, (description, days) in enumerate(actions):
            action = app.assign_action(
                ld.ctx(),
                partnership_id=pid,
                group_id=group,
                owner_id=member_ids[(number + 1) % len(member_ids)],
                description=description,
                due_on=ld.clock.date() + timedelta(days=days),
                options=ld.key(f"action:{index}:{number}"),
            )
            out.ids[f"action:{index}:{number}"] = _created(action)
    ld.at(60)
    first = out.ids["action:0:0"]
    app.report_progress(
        ld.ctx(),
        first,
        percent=60,
        note="Interviews done in two of three municipalities",
        options=ld.key("progress:0:0"),
    )
    ld.at(95)
    app.complete_action(
        ld.ctx(),
        first,
        outcome="Mapping report delivered to the partnership",
        options=ld.key("complete:0:0"),
    )


REGISTRANTS = [
    ("Stockholms stad", "municipal_representative"),
    ("Huddinge kommun", "municipal_representative"),
    ("Coompanion Stockholm", "facilitator"),
    ("Vägen ut! kooperativen", "social_economy_actor"),
    ("Stockholms Stadsmission", "social_economy_actor"),
    ("Invandrarföreningarnas samverkansråd", "speaker"),
]


def _workshop(ld: _Loader, out: DemoSummary) -> None:
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
    out.ids["follow-up"] = _created(follow_up)


PROCUREMENT_GROUP = GROUPS[1][2]


def _decide(
    ld: _Loader, out: DemoSummary, key: str, proposal: tuple[str, str], supersedes: UUID | None
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


def _decisions(ld: _Loader, out: DemoSummary) -> None:
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
