"""B4: workshops and meetings, one test per rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from coordination.domain.action import Action
from coordination.domain.context import Context
from coordination.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from coordination.domain.values import sha256_hex
from coordination.domain.workshop import Workshop
from tests.application.conftest import NOW, TODAY, World, secretariat
from tests.application.support_groups import convene_group
from tests.application.support_workshops import DURING, END, START, held, plan, topics

BEFORE = START - timedelta(minutes=1)
LATER = START + timedelta(days=7)


def register(world: World, workshop_id: UUID, org: int = 0, **overrides: Any) -> UUID:
    """Register a new person for one of the world's organisations; returns the registration."""
    arguments: dict[str, Any] = {
        "person_id": uuid4(),
        "organisation_id": world.orgs[org].id,
        "role": "social_economy_actor",
    }
    arguments.update(overrides)
    registration_id = world.app.register(secretariat(), workshop_id, **arguments).created_id
    assert registration_id is not None
    return registration_id


# -- PlanWorkshop --------------------------------------------------------------------


def test_plan_records_organisers_theme_format_venue_capacity_and_audience(world: World) -> None:
    group_id = convene_group(world, world.orgs[:2])
    workshop_id = plan(world, organiser_group_ids=[group_id], organiser_partners=["Coompanion"])
    workshop = world.app.workshop(workshop_id)
    assert (Workshop.TOPIC, Workshop.KIND) == ("coordination.workshop", "workshop")
    assert workshop.partnership_id == world.partnership_id
    assert workshop.organiser_group_ids == [group_id]
    assert workshop.organiser_partners == ["Coompanion"]
    assert workshop.theme_id == world.themes["Support services"]
    assert (workshop.format, workshop.venue, workshop.capacity) == (
        "hybrid",
        "Stockholm city hall, room 3",
        30,
    )
    assert (workshop.starts_at, workshop.ends_at) == (START, END)
    assert workshop.audience_description == "municipal representatives and social-economy actors"
    assert (workshop.status, workshop.minutes_status, workshop.minutes_hash) == (
        "planned",
        "none",
        None,
    )
    assert topics(world.app, workshop_id) == ["coordination.workshop.planned"]


def test_a_workshop_needs_an_organiser_and_names_none_twice(world: World) -> None:
    with pytest.raises(InvalidInput, match="at least one organiser"):
        plan(world, organiser_group_ids=[], organiser_partners=[])
    with pytest.raises(InvalidInput, match="organiser_partners names a partner twice"):
        plan(world, organiser_partners=["Coompanion", "coompanion "])
    group_id = convene_group(world)
    with pytest.raises(InvalidInput, match="names a working group twice"):
        plan(world, organiser_group_ids=[group_id, group_id])


def test_organising_groups_are_open_groups_of_the_same_partnership(world: World) -> None:
    app = world.app
    with pytest.raises(NotFound, match="no working group with id"):
        plan(world, organiser_group_ids=[uuid4()])
    closed = convene_group(world, name="Closed group")
    app.close_working_group(secretariat(), closed, reason="Its work is done")
    with pytest.raises(RuleViolation, match="is closed"):
        plan(world, organiser_group_ids=[closed])
    other = app.establish_partnership(
        secretariat(), name="Another partnership", programme="ESF", region="Skåne",
        period_start=date(2026, 1, 1), period_end=date(2027, 12, 31),
    ).stream_id  # fmt: skip
    theme = app.define_theme(secretariat(), other, name="Education").created_id
    assert theme is not None
    foreign = app.convene_working_group(
        secretariat(), other, theme_id=theme, name="Their group", purpose="p", decides="d",
        default_rule="consent",
    ).created_id  # fmt: skip
    assert foreign is not None
    with pytest.raises(RuleViolation, match="belongs to another partnership"):
        plan(world, organiser_group_ids=[foreign])


def test_the_theme_must_be_an_active_theme_of_the_partnership(world: World) -> None:
    with pytest.raises(NotFound, match="no theme with id"):
        plan(world, theme_id=uuid4())
    world.app.archive_theme(secretariat(), world.partnership_id, theme_id=world.themes["Education"])
    with pytest.raises(RuleViolation, match="archived"):
        plan(world, theme_id=world.themes["Education"])


def test_the_partnership_must_exist(world: World) -> None:
    with pytest.raises(NotFound, match="no partnership with id"):
        plan(world, partnership_id=uuid4())


def test_format_is_known_and_a_venue_is_required_unless_online(world: World) -> None:
    with pytest.raises(InvalidInput, match="in_person, online, hybrid"):
        plan(world, format="walk")
    for format in ("in_person", "hybrid"):
        with pytest.raises(InvalidInput, match="venue is required"):
            plan(world, format=format, venue="  ")
    online = plan(world, format="online", venue=None)
    assert world.app.workshop(online).venue is None
    linked = plan(world, format="online", venue="https://meet.example/workshop")
    assert world.app.workshop(linked).venue == "https://meet.example/workshop"


def test_capacity_is_at_least_one_and_sane(world: World) -> None:
    for capacity in (0, -5, 10_001, True):
        with pytest.raises(InvalidInput, match="capacity must be a whole number from 1 to 10000"):
            plan(world, capacity=capacity)
    assert world.app.workshop(plan(world, capacity=10_000)).capacity == 10_000


def test_a_workshop_ends_after_it_starts_at_zoned_times(world: World) -> None:
    with pytest.raises(InvalidInput, match="must be after the start"):
        plan(world, starts_at=END, ends_at=START)
    with pytest.raises(InvalidInput, match="must be after the start"):
        plan(world, starts_at=START, ends_at=START)
    with pytest.raises(InvalidInput, match="starts_at must include a time zone"):
        plan(world, starts_at=START.replace(tzinfo=None))
    far = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(-timedelta(hours=2)))
    with pytest.raises(InvalidInput, match="ends_at lies outside the years 1 to 9999 in UTC"):
        plan(world, starts_at=START, ends_at=far)


def test_plan_refuses_empty_and_oversized_text(world: World) -> None:
    with pytest.raises(InvalidInput, match="title must not be empty"):
        plan(world, title=" ")
    with pytest.raises(InvalidInput, match="limit is 300"):
        plan(world, title="x" * 301)
    with pytest.raises(InvalidInput, match="audience_description must not be empty"):
        plan(world, audience_description="")
    with pytest.raises(InvalidInput, match=r"organiser_partners\[0\] is 201 characters"):
        plan(world, organiser_partners=["x" * 201])


# -- SetAgenda and Invite ------------------------------------------------------------


def test_agenda_items_are_non_empty_and_limited_in_number_and_length(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    with pytest.raises(InvalidInput, match="items must hold at least one agenda item"):
        app.set_agenda(secretariat(), workshop_id, items=[])
    with pytest.raises(InvalidInput, match=r"items\[1\] must not be empty"):
        app.set_agenda(secretariat(), workshop_id, items=["Welcome", " "])
    with pytest.raises(InvalidInput, match="limit is 300"):
        app.set_agenda(secretariat(), workshop_id, items=["x" * 301])
    with pytest.raises(InvalidInput, match="the limit is 50"):
        app.set_agenda(secretariat(), workshop_id, items=[f"Item {n}" for n in range(51)])
    app.set_agenda(secretariat(), workshop_id, items=["Welcome", "Procurement"])
    app.set_agenda(secretariat(), workshop_id, items=[" Welcome ", "Social clauses"])
    assert app.workshop(workshop_id).agenda == ["Welcome", "Social clauses"]


def test_invitations_go_to_an_organisation_or_a_person_once_each(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    person = uuid4()
    app.invite(secretariat(), workshop_id, invitee_kind="person", invitee_id=person)
    app.invite(secretariat(), workshop_id, invitee_kind="organisation", invitee_id=world.orgs[0].id)
    with pytest.raises(RuleViolation, match="already invited"):
        app.invite(secretariat(), workshop_id, invitee_kind="person", invitee_id=person)
    with pytest.raises(InvalidInput, match="organisation, person"):
        app.invite(secretariat(), workshop_id, invitee_kind="group", invitee_id=uuid4())
    with pytest.raises(NotFound, match="not a member"):
        app.invite(secretariat(), workshop_id, invitee_kind="organisation", invitee_id=uuid4())
    assert app.workshop(workshop_id).invitations == [
        ("person", person),
        ("organisation", world.orgs[0].id),
    ]


# -- Register and CancelRegistration ------------------------------------------------------


def test_registration_is_for_a_current_member_organisation_in_a_known_role(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    with pytest.raises(InvalidInput, match="municipal_representative, social_economy_actor"):
        register(world, workshop_id, role="observer")
    with pytest.raises(NotFound, match="not a member"):
        register(world, workshop_id, organisation_id=uuid4())
    app.withdraw_member(secretariat(), world.partnership_id, member_id=world.orgs[4].id, reason="r")
    with pytest.raises(RuleViolation, match="no longer a member"):
        register(world, workshop_id, org=4)
    for role in ("municipal_representative", "social_economy_actor", "facilitator", "speaker"):
        register(world, workshop_id, role=role)
    assert len(app.workshop(workshop_id).active_registrations()) == 4


def test_capacity_is_enforced_counting_active_registrations(world: World) -> None:
    app, workshop_id = world.app, plan(world, capacity=2)
    first = register(world, workshop_id)
    register(world, workshop_id, org=1)
    with pytest.raises(RuleViolation, match="is full: all 2 places are taken"):
        register(world, workshop_id, org=2)
    app.cancel_registration(secretariat(), workshop_id, registration_id=first)
    register(world, workshop_id, org=2)
    assert len(app.workshop(workshop_id).active_registrations()) == 2


def test_a_person_holds_one_active_registration(world: World) -> None:
    app, workshop_id, person = world.app, plan(world), uuid4()
    first = register(world, workshop_id, person_id=person)
    with pytest.raises(RuleViolation, match="already registered"):
        register(world, workshop_id, org=1, person_id=person)
    app.cancel_registration(secretariat(), workshop_id, registration_id=first)
    register(world, workshop_id, org=1, person_id=person)


def test_only_an_active_registration_can_be_cancelled(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    with pytest.raises(NotFound, match="no registration with id"):
        app.cancel_registration(secretariat(), workshop_id, registration_id=uuid4())
    registration_id = register(world, workshop_id)
    app.cancel_registration(secretariat(), workshop_id, registration_id=registration_id)
    with pytest.raises(RuleViolation, match="already cancelled"):
        app.cancel_registration(secretariat(), workshop_id, registration_id=registration_id)


def test_registrations_close_when_the_workshop_is_cancelled_or_held(world: World) -> None:
    app = world.app
    cancelled = plan(world)
    registration_id = register(world, cancelled)
    app.cancel_workshop(secretariat(), cancelled, reason="The venue flooded")
    with pytest.raises(RuleViolation, match="is cancelled"):
        register(world, cancelled)
    with pytest.raises(RuleViolation, match="is cancelled"):
        app.cancel_registration(secretariat(), cancelled, registration_id=registration_id)
    done = plan(world)
    registration_id = register(world, done)
    app.hold_workshop(secretariat(DURING), done)
    with pytest.raises(RuleViolation, match="already been held"):
        register(world, done)
    with pytest.raises(RuleViolation, match="already been held"):
        app.cancel_registration(secretariat(DURING), done, registration_id=registration_id)


# -- Postpone and Cancel ------------------------------------------------------------


def test_a_postponed_workshop_starts_later_and_may_be_postponed_again(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    reason = "The speaker is ill"
    with pytest.raises(InvalidInput, match="starts_at must be later than the workshop's current"):
        app.postpone_workshop(
            secretariat(), workshop_id, starts_at=START, ends_at=END + timedelta(hours=1),
            reason=reason,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="must be after the start"):
        app.postpone_workshop(
            secretariat(), workshop_id, starts_at=LATER, ends_at=LATER, reason=reason
        )
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        app.postpone_workshop(
            secretariat(), workshop_id, starts_at=LATER, ends_at=LATER + timedelta(hours=2),
            reason="",
        )  # fmt: skip
    app.postpone_workshop(
        secretariat(), workshop_id, starts_at=LATER, ends_at=LATER + timedelta(hours=2),
        reason=reason,
    )  # fmt: skip
    workshop = app.workshop(workshop_id)
    assert (workshop.status, workshop.starts_at) == ("postponed", LATER)
    even_later = LATER + timedelta(days=1)
    app.postpone_workshop(
        secretariat(), workshop_id, starts_at=even_later, ends_at=even_later + timedelta(hours=1),
        reason=reason,
    )  # fmt: skip
    with pytest.raises(RuleViolation, match="cannot be held before then"):
        app.hold_workshop(secretariat(LATER + timedelta(hours=1)), workshop_id)


def test_only_a_workshop_still_to_come_can_be_postponed(world: World) -> None:
    app, cancelled, done = world.app, plan(world), held(world)
    app.cancel_workshop(secretariat(), cancelled, reason="Too few registrations")
    later = {"starts_at": LATER, "ends_at": LATER + timedelta(hours=2), "reason": "r"}
    with pytest.raises(RuleViolation, match="is cancelled: you cannot postpone it"):
        app.postpone_workshop(secretariat(), cancelled, **later)
    with pytest.raises(RuleViolation, match="already been held: you cannot postpone it"):
        app.postpone_workshop(secretariat(DURING), done, **later)


def test_a_workshop_cannot_be_cancelled_once_held_or_twice(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        app.cancel_workshop(secretariat(), workshop_id, reason=" ")
    app.cancel_workshop(secretariat(), workshop_id, reason="Too few registrations")
    workshop = app.workshop(workshop_id)
    assert (workshop.status, workshop.cancel_reason) == ("cancelled", "Too few registrations")
    with pytest.raises(RuleViolation, match="is cancelled"):
        app.cancel_workshop(secretariat(), workshop_id, reason="Again")
    with pytest.raises(RuleViolation, match="already been held: you cannot cancel it"):
        app.cancel_workshop(secretariat(DURING), held(world), reason="Too late")


def test_a_workshop_is_postponed_to_a_start_still_to_come(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    now = START + timedelta(hours=3)  # it did not take place at its start
    passed = {"starts_at": START + timedelta(hours=2), "ends_at": END + timedelta(hours=2)}
    with pytest.raises(InvalidInput, match=r"starts_at must be still to come: .* has passed"):
        app.postpone_workshop(secretariat(now), workshop_id, **passed, reason="Late room")
    assert topics(app, workshop_id) == ["coordination.workshop.planned"]


# -- planned ahead, or recorded after the fact ------------------------------------------


@pytest.mark.parametrize("starts_at", [NOW - timedelta(days=3), NOW])
def test_a_workshop_is_planned_to_start_later_than_now(world: World, starts_at: datetime) -> None:
    head = world.app.recorder.max_notification_id()
    with pytest.raises(InvalidInput, match=r"starts_at must be later than now: .* has passed"):
        plan(world, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3))
    assert world.app.recorder.max_notification_id() == head


def test_a_workshop_that_took_place_is_recorded_as_past_and_then_held(world: World) -> None:
    app, starts_at = world.app, NOW - timedelta(days=3)
    with pytest.raises(
        InvalidInput,
        match=r"starts_at must have passed for the record of a past workshop: .* still to come",
    ):
        plan(world, records_past=True)
    workshop_id = plan(
        world, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), records_past=True
    )
    app.hold_workshop(secretariat(NOW), workshop_id)
    person, org = uuid4(), world.orgs[0].id
    app.record_attendance(secretariat(NOW), workshop_id, attendees=[(person, org)])
    workshop = app.workshop(workshop_id)
    assert (workshop.status, workshop.starts_at, workshop.attendance) == (
        "held",
        starts_at,
        {person: org},
    )


# -- HoldWorkshop ---------------------------------------------------------------------


def test_a_workshop_is_held_only_on_or_after_its_start(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    with pytest.raises(RuleViolation, match="cannot be held before then"):
        app.hold_workshop(secretariat(BEFORE), workshop_id)
    app.hold_workshop(secretariat(START), workshop_id)
    workshop = app.workshop(workshop_id)
    assert (workshop.status, workshop.held_at) == ("held", START)


def test_a_workshop_is_held_once_and_never_when_cancelled(world: World) -> None:
    app, workshop_id = world.app, held(world)
    with pytest.raises(RuleViolation, match="already been held: you cannot hold it"):
        app.hold_workshop(secretariat(DURING), workshop_id)
    cancelled = plan(world)
    app.cancel_workshop(secretariat(), cancelled, reason="Too few registrations")
    with pytest.raises(RuleViolation, match="is cancelled: you cannot hold it"):
        app.hold_workshop(secretariat(DURING), cancelled)


# -- RecordAttendance -------------------------------------------------------------------


def test_attendance_is_recorded_per_person_and_organisation_after_the_workshop(
    world: World,
) -> None:
    app, workshop_id = world.app, plan(world)
    alice, bob, carol = uuid4(), uuid4(), uuid4()
    city, coop = world.orgs[0].id, world.orgs[2].id
    with pytest.raises(RuleViolation, match="has not been held"):
        app.record_attendance(secretariat(), workshop_id, attendees=[(alice, city)])
    app.hold_workshop(secretariat(DURING), workshop_id)
    app.record_attendance(secretariat(END), workshop_id, attendees=[(alice, city), (bob, coop)])
    app.record_attendance(secretariat(END), workshop_id, attendees=[(carol, coop)])
    assert app.workshop(workshop_id).attendance == {alice: city, bob: coop, carol: coop}
    last = list(app.repository.event_store.get(workshop_id))[-1]
    assert last.attendees == [{"person_id": carol, "organisation_id": coop}]  # type: ignore[attr-defined]


def test_a_person_is_recorded_once_and_for_a_member_organisation(world: World) -> None:
    app, workshop_id = world.app, held(world)
    alice, city = uuid4(), world.orgs[0].id
    app.record_attendance(secretariat(END), workshop_id, attendees=[(alice, city)])
    with pytest.raises(RuleViolation, match="already recorded"):
        app.record_attendance(secretariat(END), workshop_id, attendees=[(alice, city)])
    bob = uuid4()
    with pytest.raises(InvalidInput, match="who is listed already"):
        app.record_attendance(secretariat(END), workshop_id, attendees=[(bob, city), (bob, city)])
    with pytest.raises(InvalidInput, match="at least one person"):
        app.record_attendance(secretariat(END), workshop_id, attendees=[])
    with pytest.raises(InvalidInput, match="a person id and an organisation id"):
        app.record_attendance(secretariat(END), workshop_id, attendees=[(bob,)])  # type: ignore[list-item]
    with pytest.raises(NotFound, match="not a member"):
        app.record_attendance(secretariat(END), workshop_id, attendees=[(bob, uuid4())])


# -- Minutes ----------------------------------------------------------------------------


def test_minutes_are_drafted_once_and_only_after_the_workshop(world: World) -> None:
    app, workshop_id = world.app, plan(world)
    with pytest.raises(RuleViolation, match="has not been held"):
        app.draft_minutes(secretariat(), workshop_id, text="Minutes")
    app.hold_workshop(secretariat(DURING), workshop_id)
    with pytest.raises(InvalidInput, match="text must not be empty"):
        app.draft_minutes(secretariat(END), workshop_id, text=" ")
    with pytest.raises(InvalidInput, match="limit is 20000"):
        app.draft_minutes(secretariat(END), workshop_id, text="x" * 20_001)
    app.draft_minutes(secretariat(END), workshop_id, text="Minutes, first draft")
    with pytest.raises(RuleViolation, match="already drafted"):
        app.draft_minutes(secretariat(END), workshop_id, text="Another draft")
    assert app.workshop(workshop_id).minutes_status == "drafted"


def test_minutes_are_amended_only_while_drafted_and_with_a_note(world: World) -> None:
    app, workshop_id = world.app, held(world)
    with pytest.raises(RuleViolation, match="no draft minutes"):
        app.amend_minutes(secretariat(END), workshop_id, text="Minutes", note="n")
    app.draft_minutes(secretariat(END), workshop_id, text="Minutes, first draft")
    with pytest.raises(RuleViolation, match="identical to the draft"):
        app.amend_minutes(secretariat(END), workshop_id, text="Minutes, first draft", note="n")
    with pytest.raises(InvalidInput, match="note must not be empty"):
        app.amend_minutes(secretariat(END), workshop_id, text="Minutes, second", note="")
    app.amend_minutes(secretariat(END), workshop_id, text="Minutes, second", note="Typos")
    assert app.workshop(workshop_id).minutes_text == "Minutes, second"


def test_approved_minutes_are_sealed_with_the_hash_of_their_text(world: World) -> None:
    app, workshop_id = world.app, held(world)
    with pytest.raises(RuleViolation, match="no draft minutes"):
        app.approve_minutes(secretariat(END), workshop_id)
    app.draft_minutes(secretariat(END), workshop_id, text="Minutes, first draft")
    app.amend_minutes(secretariat(END), workshop_id, text="Minutes as approved", note="Typos")
    app.approve_minutes(secretariat(END), workshop_id)
    workshop = app.workshop(workshop_id)
    assert workshop.minutes_status == "approved"
    assert workshop.minutes_hash == sha256_hex("Minutes as approved")
    with pytest.raises(RuleViolation, match="approved and sealed: they cannot be amended"):
        app.amend_minutes(secretariat(END), workshop_id, text="Rewritten", note="n")
    with pytest.raises(RuleViolation, match="approved and sealed: they cannot be approved"):
        app.approve_minutes(secretariat(END), workshop_id)
    with pytest.raises(RuleViolation, match="already approved"):
        app.draft_minutes(secretariat(END), workshop_id, text="A new draft")


# -- RaiseFollowUp ------------------------------------------------------------------------


def follow_up(world: World, workshop_id: UUID, at: datetime = END, **overrides: Any) -> UUID:
    arguments: dict[str, Any] = {
        "description": "Draft social clauses for the city's procurement of support services",
        "owner_id": world.orgs[0].id,
        "group_id": None,
        "due_on": TODAY + timedelta(days=60),
    }
    arguments.update(overrides)
    action_id = world.app.raise_follow_up(secretariat(at), workshop_id, **arguments).created_id
    assert action_id is not None
    return action_id


def test_a_follow_up_is_raised_only_after_the_workshop(world: World) -> None:
    with pytest.raises(RuleViolation, match="has not been held: you cannot raise a follow-up"):
        follow_up(world, plan(world), at=NOW)


def test_a_follow_up_becomes_an_action_saved_with_the_workshop_event(world: World) -> None:
    app, workshop_id = world.app, held(world)
    group_id = convene_group(world, world.orgs[:2])
    result = app.raise_follow_up(
        secretariat(END), workshop_id, description="Map the city's support services",
        owner_id=world.orgs[1].id, group_id=group_id, due_on=TODAY + timedelta(days=30),
    )  # fmt: skip
    action = app.action(result.created_id)  # type: ignore[arg-type]
    assert (action.source_kind, action.source_id) == ("workshop", workshop_id)
    assert (action.group_id, action.owner_id) == (group_id, world.orgs[1].id)
    assert action.description == "Map the city's support services"
    assert result.stream_id == workshop_id
    assert app.workshop(workshop_id).follow_up_action_ids == [action.id]
    raised = list(app.repository.event_store.get(workshop_id))[-1]
    assert type(raised).TOPIC == "coordination.workshop.follow_up_raised"  # type: ignore[attr-defined]
    assert raised.action_id == action.id  # type: ignore[attr-defined]
    assert topics(app, action.id) == ["coordination.action.assigned"]
    organisation_action = follow_up(world, workshop_id)
    assert app.action(organisation_action).group_id is None


def test_a_follow_up_and_its_action_are_saved_together_or_not_at_all(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, workshop_id = world.app, held(world)
    before = topics(app, workshop_id)
    assign = Action.assign

    def assign_onto_a_taken_stream(ctx: Context, **fields: Any) -> Action:
        assign(ctx, **fields)  # still checks the action as the real command does
        return Action.start(
            Action.Assigned, ctx, id=world.partnership_id, audience="partnership", **fields
        )

    monkeypatch.setattr(Action, "assign", assign_onto_a_taken_stream)
    with pytest.raises(Conflict):
        follow_up(world, workshop_id)
    assert topics(app, workshop_id) == before


def test_a_follow_up_action_has_a_member_owner_in_the_open_group(world: World) -> None:
    app, workshop_id = world.app, held(world)
    group_id = convene_group(world, world.orgs[:2])
    with pytest.raises(RuleViolation, match="not a member of the working group"):
        follow_up(world, workshop_id, owner_id=world.orgs[3].id, group_id=group_id)
    with pytest.raises(NotFound, match="not a member"):
        follow_up(world, workshop_id, owner_id=uuid4())
    with pytest.raises(NotFound, match="no working group with id"):
        follow_up(world, workshop_id, group_id=uuid4())
    app.close_working_group(secretariat(END), group_id, reason="Its work is done")
    with pytest.raises(RuleViolation, match="is closed"):
        follow_up(world, workshop_id, group_id=group_id)


def test_a_follow_up_needs_a_description_and_a_due_date_ahead(world: World) -> None:
    workshop_id = held(world)
    with pytest.raises(InvalidInput, match="description must not be empty"):
        follow_up(world, workshop_id, description=" ")
    with pytest.raises(InvalidInput, match="before today"):
        follow_up(world, workshop_id, due_on=END.date() - timedelta(days=1))


# -- Across the workshop ------------------------------------------------------------------


def test_an_unknown_workshop_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="no workshop with id"):
        world.app.hold_workshop(secretariat(DURING), uuid4())
    with pytest.raises(NotFound, match="no workshop with id"):
        world.app.workshop(world.partnership_id)


def test_a_refused_command_records_nothing(world: World) -> None:
    app, workshop_id = world.app, plan(world, capacity=1)
    register(world, workshop_id)
    before = topics(app, workshop_id)
    with pytest.raises(RuleViolation, match="is full"):
        register(world, workshop_id, org=1)
    with pytest.raises(RuleViolation, match="cannot be held before then"):
        app.hold_workshop(secretariat(BEFORE), workshop_id)
    assert topics(app, workshop_id) == before
    app.hold_workshop(secretariat(DURING), workshop_id)
    positions = app.recorder.max_notification_id()
    with pytest.raises(InvalidInput, match="before today"):
        follow_up(world, workshop_id, due_on=date(2026, 1, 1))
    assert app.recorder.max_notification_id() == positions  # no action, no workshop event


def test_workshop_events_are_for_the_partnership_and_name_persons_only_by_id(
    world: World,
) -> None:
    app, workshop_id, person = world.app, plan(world), uuid4()
    register(world, workshop_id, person_id=person)
    app.hold_workshop(secretariat(DURING), workshop_id)
    app.record_attendance(secretariat(END), workshop_id, attendees=[(person, world.orgs[0].id)])
    events = list(app.repository.event_store.get(workshop_id))
    assert {event.audience for event in events} == {"partnership"}  # type: ignore[attr-defined]
    registered, attended = events[1], events[-1]
    assert registered.person_id == person  # type: ignore[attr-defined]
    assert attended.attendees == [  # type: ignore[attr-defined]
        {"person_id": person, "organisation_id": world.orgs[0].id}
    ]
