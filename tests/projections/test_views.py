"""The views after the demo partnership is loaded: what people see through the queries."""

from __future__ import annotations

from datetime import date

from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries import actions, decisions, forums, participation, workshops
from coordination.projections.runner import ProjectionRunner
from coordination_demo import MEMBERS, REGISTRANTS, DemoSummary
from tests.projections.conftest import settle


async def test_forums_members_and_representatives(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    partnership = await forums.get_forum(db, demo.partnership_id)
    assert partnership is not None
    assert (partnership.kind, partnership.member_count, partnership.agreement_version) == (
        "partnership",
        len(MEMBERS),
        1,
    )
    groups = (await forums.list_forums(db, kind="working_group")).nodes
    assert [g.id for g in groups] == [demo.ids[f"group:{n}"] for n in range(3)]
    assert all(g.member_count == 5 and g.convenor_person_id for g in groups)
    support = demo.ids["theme:Support services"]
    assert len((await forums.list_forums(db, theme_id=support)).nodes) == 3
    coompanion = demo.ids["member:Coompanion Stockholm"]
    joined = await forums.list_forums(db, kind="working_group", member_id=coompanion)
    assert len(joined.nodes) == 3
    members = await forums.list_forum_members(db, demo.ids["group:1"])
    assert {m.name for m in members.nodes} >= {"Stockholms stad", "Coompanion Stockholm"}
    organisations = await forums.list_organisations(db, first=100)
    assert [o.name for o in organisations.nodes] == sorted(name for name, _ in MEMBERS)
    current = await forums.list_representatives(db, on=date(2025, 6, 1), first=100)
    assert len(current.nodes) == len(MEMBERS)
    assert not (await forums.list_representatives(db, on=date(2024, 12, 31))).nodes
    themes = await forums.list_themes(db)
    assert [t.name for t in themes.nodes] == ["Education", "Support services", "Social accounting"]


async def test_decisions_superseded_and_in_force(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    first, second = demo.ids["decision:1"], demo.ids["decision:2"]
    old = await decisions.get_decision(db, first)
    new = await decisions.get_decision(db, second)
    assert old is not None
    assert new is not None
    assert (old.status, old.in_force, old.superseded_by) == ("superseded", False, second)
    assert (new.status, new.in_force, new.supersedes) == ("adopted", True, first)
    assert new.tally == decisions.Tally(agree=4, abstain=1, disagree=0, block=0, electorate=5)
    assert new.contributions == 1
    assert len(new.electorate) == 5
    assert new.theme_id == demo.ids["theme:Support services"]
    in_force = await decisions.list_decisions(db, in_force=True)
    assert [d.id for d in in_force.nodes] == [second]
    both = await decisions.list_decisions(db, forum_id=demo.ids["group:1"])
    assert [d.id for d in both.nodes] == [first, second]
    assert len((await decisions.list_decisions(db, status=["adopted", "superseded"])).nodes) == 2
    assert not (await decisions.list_decisions(db, status="withdrawn")).nodes
    voter = demo.ids["member:Vägen ut! kooperativen"]
    assert len((await decisions.list_decisions(db, organisation_id=voter)).nodes) == 2
    positions = await decisions.list_positions(db, second)
    assert sorted(p.position for p in positions.nodes) == ["abstain"] + ["agree"] * 4
    assert not any(p.flagged for p in positions.nodes)


async def test_action_tracker_overdue_is_computed_from_today(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    every = await actions.list_actions(db, today=date(2025, 1, 1))
    assert len(every.nodes) == 5
    assert [a.due_on for a in every.nodes] == sorted(a.due_on for a in every.nodes)
    assert not any(a.overdue for a in every.nodes)
    later = await actions.list_actions(db, today=date(2030, 1, 1), overdue=True)
    assert len(later.nodes) == 4
    assert all(a.status == "open" for a in later.nodes)
    done = await actions.get_action(db, demo.ids["action:0:0"], today=date(2030, 1, 1))
    assert done is not None
    assert (done.status, done.progress, done.overdue) == ("completed", 100, False)
    follow_up = await actions.get_action(db, demo.ids["follow-up"], today=date(2025, 1, 1))
    assert follow_up is not None
    assert follow_up.source_kind == "workshop"
    in_group = await actions.list_actions(db, today=date(2025, 1, 1), group_id=demo.ids["group:1"])
    assert len(in_group.nodes) == 2
    themed = await actions.list_actions(
        db, today=date(2025, 1, 1), theme_id=demo.ids["theme:Support services"]
    )
    assert len(themed.nodes) == 5


async def test_workshop_calendar_registrations_and_attendance(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    calendar = await workshops.list_workshops(db, theme_id=demo.ids["theme:Support services"])
    assert len(calendar.nodes) == 1
    workshop = calendar.nodes[0]
    assert (workshop.status, workshop.registered, workshop.attended) == ("held", 6, 5)
    assert workshop.minutes_status == "approved"
    assert workshop.follow_up_action_ids == [demo.ids["follow-up"]]
    assert len(workshop.agenda) == 4
    assert len((await workshops.list_registrations(db, workshop.id)).nodes) == len(REGISTRANTS)
    assert len((await workshops.list_attendance(db, workshop.id)).nodes) == 5
    by_kind = {
        k.kind: (k.registered, k.attended)
        for k in await workshops.attendance_by_kind(db, workshop.id)
    }
    assert by_kind["municipality"] == (2, 2)
    assert by_kind["other"] == (1, 0)
    group_workshops = await workshops.list_workshops(db, group_id=demo.ids["group:2"])
    assert [w.id for w in group_workshops.nodes] == [workshop.id]
    assert not (await workshops.list_workshops(db, status="cancelled")).nodes


async def test_participation_per_organisation(
    system: System, db: ReadDatabase, runner: ProjectionRunner, demo: DemoSummary
) -> None:
    await settle(runner, system.app)
    coompanion = await participation.get_participation(db, demo.ids["member:Coompanion Stockholm"])
    assert coompanion is not None
    assert (coompanion.groups_joined, coompanion.positions_taken) == (3, 2)
    assert (coompanion.registrations, coompanion.attendances) == (1, 1)
    assert coompanion.actions_owned >= 1
    everyone = await participation.list_participation(db, first=100)
    assert len(everyone.nodes) == len(MEMBERS)
    assert sum(p.actions_owned for p in everyone.nodes) == 5
    assert sum(p.actions_completed for p in everyone.nodes) == 1
    assert sum(p.attendances for p in everyone.nodes) == 5
    municipalities = await participation.list_participation(db, kind="municipality")
    assert {p.name for p in municipalities.nodes} == {"Stockholms stad", "Huddinge kommun"}
