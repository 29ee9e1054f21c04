"""The demo's first steps: the partnership and its agreement and themes, the members and
their representatives, the working groups with their members, convenors and actions."""

from __future__ import annotations

from datetime import date, timedelta

from coordination_demo.loader import DemoSummary, Loader, created
from coordination_demo.story import GROUPS, MEMBERS, person


def establish_partnership(ld: Loader, out: DemoSummary) -> None:
    """The partnership, its agreement and its three themes."""
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
        defined = app.define_theme(ld.ctx(), pid, name=theme, options=ld.key(f"theme:{theme}"))
        out.ids[f"theme:{theme}"] = created(defined)


def admit_members(ld: Loader, out: DemoSummary) -> None:
    """The member organisations, each with a representative."""
    ld.at(3)
    app, pid = ld.app, out.partnership_id
    for name, kind in MEMBERS:
        member = created(
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


def convene_groups(ld: Loader, out: DemoSummary) -> None:
    """The three working groups: members, convenor and actions, one of them done."""
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
            out.ids[f"action:{index}:{number}"] = created(action)
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
