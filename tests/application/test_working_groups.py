"""B2: working groups and actions, one test per rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from coordination.application import CommandOptions, Coordination
from coordination.domain.base import CoordinationAggregate
from coordination.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from coordination.domain.values import TEXT_MAX
from tests.application.conftest import NOW, TODAY, World, person_ctx, secretariat
from tests.application.support_groups import convene_group

DUE = TODAY + timedelta(days=30)


class FakeDecision(CoordinationAggregate):
    """Stands in for a decision stream: an action only checks its source is a decision."""

    TOPIC = "tests.fake_decision"
    KIND = "decision"
    Created = None

    class Tabled(CoordinationAggregate.Created):
        TOPIC = "tests.fake_decision.tabled"

    def __init__(self) -> None:
        pass


def events_of(app: Coordination, stream_id: UUID) -> list[str]:
    return [type(e).TOPIC for e in app.repository.event_store.get(stream_id)]  # type: ignore[attr-defined]


def last_event(app: Coordination, stream_id: UUID) -> object:
    return list(app.repository.event_store.get(stream_id))[-1]


def assign(world: World, group_id: UUID | None, owner: UUID, **changes: object) -> UUID:
    arguments: dict[str, object] = {
        "partnership_id": world.partnership_id,
        "group_id": group_id,
        "owner_id": owner,
        "description": "Map the support services bought by the city",
        "due_on": DUE,
    }
    arguments.update(changes)
    action_id = world.app.assign_action(secretariat(), **arguments).created_id  # type: ignore[arg-type]
    assert action_id is not None
    return action_id


# -- convening and the charter --------------------------------------------------------


def test_convening_records_the_theme_and_the_charter_for_the_partnership(world: World) -> None:
    group_id = convene_group(world, default_rule="qualified_majority")
    group = world.app.working_group(group_id)
    assert group.partnership_id == world.partnership_id
    assert group.theme_id == world.themes["Support services"]
    assert (group.name, group.default_rule) == ("Support services group", "qualified_majority")
    assert group.purpose.startswith("Shape")
    assert group.decides.startswith("Joint")
    assert (group.members, group.convenor, group.closed) == (set(), None, False)
    assert last_event(world.app, group_id).audience == "partnership"  # type: ignore[attr-defined]


def test_a_group_is_convened_on_an_active_theme_of_the_partnership(world: World) -> None:
    app, pid = world.app, world.partnership_id
    app.archive_theme(secretariat(), pid, theme_id=world.themes["Education"])
    with pytest.raises(RuleViolation, match="theme 'Education' is archived"):
        convene_group(world, theme="Education")
    with pytest.raises(NotFound, match="no theme with id"):
        app.convene_working_group(
            secretariat(),
            pid,
            theme_id=uuid4(),
            name="G",
            purpose="p",
            decides="d",
            default_rule="consent",
        )


def test_the_default_rule_is_one_of_the_decision_rules(world: World) -> None:
    with pytest.raises(InvalidInput, match="consensus, consent, majority, qualified_majority"):
        convene_group(world, default_rule="unanimity")


def test_the_charter_must_say_what_the_group_is_for_and_decides(world: World) -> None:
    app, pid, theme = world.app, world.partnership_id, world.themes["Education"]
    with pytest.raises(InvalidInput, match="purpose must not be empty"):
        app.convene_working_group(
            secretariat(),
            pid,
            theme_id=theme,
            name="G",
            purpose=" ",
            decides="d",
            default_rule="consent",
        )
    with pytest.raises(InvalidInput, match="decides must not be empty"):
        app.convene_working_group(
            secretariat(),
            pid,
            theme_id=theme,
            name="G",
            purpose="p",
            decides="",
            default_rule="consent",
        )
    with pytest.raises(InvalidInput, match="limit is 200"):
        app.convene_working_group(
            secretariat(),
            pid,
            theme_id=theme,
            name="G" * 201,
            purpose="p",
            decides="d",
            default_rule="consent",
        )


def test_a_revised_charter_replaces_the_charter_and_must_change_it(world: World) -> None:
    group_id = convene_group(world)
    group = world.app.working_group(group_id)
    with pytest.raises(RuleViolation, match="identical to the one in force"):
        world.app.revise_charter(
            secretariat(),
            group_id,
            purpose=f"  {group.purpose} ",
            decides=group.decides,
            default_rule=group.default_rule,
        )
    world.app.revise_charter(
        secretariat(),
        group_id,
        purpose="Agree a procurement guide",
        decides="The guide",
        default_rule="majority",
    )
    group = world.app.working_group(group_id)
    assert (group.purpose, group.decides, group.default_rule) == (
        "Agree a procurement guide",
        "The guide",
        "majority",
    )
    assert last_event(world.app, group_id).audience == "partnership"  # type: ignore[attr-defined]


# -- members are organisations --------------------------------------------------------


def test_members_are_organisations_joining_through_a_representative(world: World) -> None:
    org = world.orgs[0]
    group_id = convene_group(world, [org])
    assert world.app.working_group(group_id).members == {org.id}
    joined = last_event(world.app, group_id)
    assert joined.member_id == org.id  # type: ignore[attr-defined]
    assert joined.actor == str(org.rep)  # type: ignore[attr-defined]
    assert joined.audience == f"forum:{group_id}"  # type: ignore[attr-defined]


def test_joining_is_done_for_an_organisation_the_actor_represents(world: World) -> None:
    group_id = convene_group(world)
    org, other = world.orgs[0], world.orgs[1]
    with pytest.raises(Forbidden, match="not a current representative"):
        world.app.join_working_group(person_ctx(other.rep, org.id), group_id)
    with pytest.raises(Forbidden, match="on behalf of a member"):
        world.app.join_working_group(person_ctx(org.rep, None), group_id)
    with pytest.raises(Forbidden, match="not a person"):
        world.app.join_working_group(replace(secretariat(), acting_for=org.id), group_id)


def test_only_a_current_member_of_the_partnership_joins(world: World) -> None:
    group_id = convene_group(world)
    org = world.orgs[0]
    world.app.withdraw_member(secretariat(), world.partnership_id, member_id=org.id, reason="R")
    with pytest.raises(Forbidden, match="no longer a member of the partnership"):
        world.app.join_working_group(org.ctx(), group_id)


def test_an_organisation_joins_a_group_once(world: World) -> None:
    org = world.orgs[0]
    group_id = convene_group(world, [org])
    with pytest.raises(RuleViolation, match="already a member of the working group"):
        world.app.join_working_group(org.ctx(), group_id)


def test_only_a_member_leaves_and_only_for_an_organisation_it_represents(world: World) -> None:
    org, other = world.orgs[0], world.orgs[1]
    group_id = convene_group(world, [org])
    with pytest.raises(RuleViolation, match="not a member of the working group"):
        world.app.leave_working_group(other.ctx(), group_id)
    with pytest.raises(Forbidden, match="not a current representative"):
        world.app.leave_working_group(person_ctx(other.rep, org.id), group_id)
    world.app.leave_working_group(org.ctx(), group_id)
    assert world.app.working_group(group_id).members == set()


# -- the convenor --------------------------------------------------------------------


def test_the_convenor_is_a_current_representative_of_a_group_member(world: World) -> None:
    org, outsider = world.orgs[0], world.orgs[1]
    group_id = convene_group(world, [org])
    with pytest.raises(RuleViolation, match="not a member of the working group"):
        world.app.appoint_convenor(
            secretariat(), group_id, person_id=uuid4(), member_id=outsider.id
        )
    with pytest.raises(RuleViolation, match="not a current representative of Stockholm city"):
        world.app.appoint_convenor(
            secretariat(), group_id, person_id=outsider.rep, member_id=org.id
        )
    world.app.appoint_convenor(secretariat(), group_id, person_id=org.rep, member_id=org.id)
    group = world.app.working_group(group_id)
    assert (group.convenor, group.convenor_org) == (org.rep, org.id)
    with pytest.raises(RuleViolation, match="already convenes"):
        world.app.appoint_convenor(secretariat(), group_id, person_id=org.rep, member_id=org.id)


def test_a_convenor_whose_mandate_ended_cannot_be_appointed(world: World) -> None:
    org = world.orgs[0]
    group_id = convene_group(world, [org])
    former = uuid4()
    world.app.appoint_representative(
        secretariat(),
        world.partnership_id,
        member_id=org.id,
        person_id=former,
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY - timedelta(days=1),
    )
    with pytest.raises(RuleViolation, match="not a current representative"):
        world.app.appoint_convenor(secretariat(), group_id, person_id=former, member_id=org.id)


def test_the_convenors_organisation_leaving_leaves_the_group_without_convenor(
    world: World,
) -> None:
    org, other = world.orgs[0], world.orgs[1]
    group_id = convene_group(world, [org, other])
    world.app.appoint_convenor(secretariat(), group_id, person_id=org.rep, member_id=org.id)
    world.app.leave_working_group(other.ctx(), group_id)
    assert world.app.working_group(group_id).convenor == org.rep
    world.app.leave_working_group(org.ctx(), group_id)
    group = world.app.working_group(group_id)
    assert (group.convenor, group.convenor_org) == (None, None)
    assert last_event(world.app, group_id).convenor_vacated is True  # type: ignore[attr-defined]


# -- closing --------------------------------------------------------------------------


def test_a_closed_group_accepts_nothing_more(world: World) -> None:
    app, (org, other) = world.app, world.orgs[:2]
    group_id = convene_group(world, [org])
    action_id = assign(world, group_id, org.id)
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        app.close_working_group(secretariat(), group_id, reason=" ")
    app.close_working_group(secretariat(), group_id, reason="Work done")
    group = app.working_group(group_id)
    assert (group.closed, group.close_reason) == (True, "Work done")
    assert last_event(app, group_id).audience == "partnership"  # type: ignore[attr-defined]
    closed = "the working group 'Support services group' is closed: it accepts nothing more"
    refused = [
        lambda: app.join_working_group(other.ctx(), group_id),
        lambda: app.leave_working_group(org.ctx(), group_id),
        lambda: app.appoint_convenor(secretariat(), group_id, person_id=uuid4(), member_id=org.id),
        lambda: app.revise_charter(
            secretariat(), group_id, purpose="p", decides="d", default_rule="majority"
        ),
        lambda: app.close_working_group(secretariat(), group_id, reason="Again"),
        lambda: assign(world, group_id, org.id),
        lambda: app.report_progress(secretariat(), action_id, percent=50, note="n"),
        lambda: app.complete_action(secretariat(), action_id, outcome="Done"),
        lambda: app.drop_action(secretariat(), action_id, reason="Not needed"),
    ]
    before = (events_of(app, group_id), events_of(app, action_id))
    for command in refused:
        with pytest.raises(RuleViolation, match=closed):
            command()
    assert (events_of(app, group_id), events_of(app, action_id)) == before


# -- actions --------------------------------------------------------------------------


def test_an_action_has_an_owner_organisation_a_description_a_due_date_and_a_source(
    world: World,
) -> None:
    org = world.orgs[2]
    group_id = convene_group(world, [org])
    action_id = assign(world, group_id, org.id, due_on=TODAY)  # due today is not late
    action = world.app.action(action_id)
    assert (action.partnership_id, action.group_id, action.owner_id) == (
        world.partnership_id,
        group_id,
        org.id,
    )
    assert (action.due_on, action.source_kind, action.source_id) == (TODAY, "group", group_id)
    assert (action.progress, action.status) == (0, "open")
    assert last_event(world.app, action_id).audience == f"forum:{group_id}"  # type: ignore[attr-defined]


def test_the_owner_is_a_current_member_of_the_partnership(world: World) -> None:
    org = world.orgs[0]
    with pytest.raises(NotFound, match="not a member of this partnership"):
        assign(world, None, uuid4(), source_kind="decision", source_id=uuid4())
    world.app.withdraw_member(secretariat(), world.partnership_id, member_id=org.id, reason="R")
    with pytest.raises(RuleViolation, match="no longer a member of the partnership"):
        assign(world, None, org.id, source_kind="decision", source_id=uuid4())


def test_a_group_action_is_owned_by_a_member_of_the_group(world: World) -> None:
    member, outsider = world.orgs[0], world.orgs[1]
    group_id = convene_group(world, [member])
    with pytest.raises(RuleViolation, match="not a member of the working group"):
        assign(world, group_id, outsider.id)


def test_a_group_action_names_a_group_of_the_same_partnership(world: World) -> None:
    org = world.orgs[0]
    with pytest.raises(InvalidInput, match="group_id is required"):
        assign(world, None, org.id)
    group_id = convene_group(world, [org])
    with pytest.raises(InvalidInput, match="source_id must be left out, or be the group's id"):
        assign(world, group_id, org.id, source_id=uuid4())
    with pytest.raises(NotFound, match="no working group with id"):
        assign(world, uuid4(), org.id)
    other = world.app.establish_partnership(
        secretariat(),
        name="Other",
        programme="ESF",
        region="R",
        period_start=TODAY,
        period_end=TODAY + timedelta(days=365),
    ).stream_id
    world.app.admit_member(secretariat(), other, name="Stockholm city", kind="municipality")
    other_org = next(iter(world.app.partnership(other).members))
    with pytest.raises(RuleViolation, match="belongs to another partnership"):
        world.app.assign_action(
            secretariat(),
            partnership_id=other,
            group_id=group_id,
            owner_id=other_org,
            description="d",
            due_on=DUE,
        )


def test_an_action_from_a_decision_or_workshop_names_an_existing_one(world: World) -> None:
    org = world.orgs[0]
    with pytest.raises(InvalidInput, match="source_id is required for an action from a workshop"):
        assign(world, None, org.id, source_kind="workshop")
    with pytest.raises(NotFound, match="no decision with id"):
        assign(world, None, org.id, source_kind="decision", source_id=uuid4())
    with pytest.raises(NotFound, match="no decision with id"):
        assign(world, None, org.id, source_kind="decision", source_id=world.partnership_id)
    with pytest.raises(InvalidInput, match="group, decision, workshop"):
        assign(world, None, org.id, source_kind="email", source_id=uuid4())
    decision = FakeDecision.start(FakeDecision.Tabled, secretariat(), audience="partnership")
    world.app.save(decision)
    action_id = assign(world, None, org.id, source_kind="decision", source_id=decision.id)
    action = world.app.action(action_id)
    assert (action.group_id, action.source_kind, action.source_id) == (
        None,
        "decision",
        decision.id,
    )
    assert last_event(world.app, action_id).audience == "partnership"  # type: ignore[attr-defined]


def test_an_action_cannot_be_due_before_it_is_assigned(world: World) -> None:
    org = world.orgs[0]
    group_id = convene_group(world, [org])
    with pytest.raises(InvalidInput, match="is before today"):
        assign(world, group_id, org.id, due_on=TODAY - timedelta(days=1))


def test_an_action_description_is_neither_empty_nor_oversized(world: World) -> None:
    org = world.orgs[0]
    group_id = convene_group(world, [org])
    with pytest.raises(InvalidInput, match="description must not be empty"):
        assign(world, group_id, org.id, description="   ")
    with pytest.raises(InvalidInput, match=f"limit is {TEXT_MAX}"):
        assign(world, group_id, org.id, description="x" * (TEXT_MAX + 1))


def test_progress_is_a_whole_percentage(world: World) -> None:
    org = world.orgs[0]
    action_id = assign(world, convene_group(world, [org]), org.id)
    for wrong in (-1, 101, True):
        with pytest.raises(InvalidInput, match="from 0 to 100"):
            world.app.report_progress(org.ctx(), action_id, percent=wrong)  # type: ignore[arg-type]
    world.app.report_progress(org.ctx(), action_id, percent=40, note="Half the interviews")
    assert world.app.action(action_id).progress == 40
    assert last_event(world.app, action_id).note == "Half the interviews"  # type: ignore[attr-defined]


@pytest.mark.parametrize("close", ["complete", "drop"])
def test_a_completed_or_dropped_action_is_closed_for_good(world: World, close: str) -> None:
    app, org = world.app, world.orgs[0]
    action_id = assign(world, convene_group(world, [org]), org.id)
    if close == "complete":
        app.complete_action(org.ctx(), action_id, outcome="Published the map")
        assert (app.action(action_id).status, app.action(action_id).progress) == ("completed", 100)
    else:
        app.drop_action(org.ctx(), action_id, reason="The city did it already")
        assert app.action(action_id).status == "dropped"
    before = events_of(app, action_id)
    for command in (
        lambda: app.report_progress(org.ctx(), action_id, percent=10, note=None),
        lambda: app.complete_action(org.ctx(), action_id, outcome="Again"),
        lambda: app.drop_action(org.ctx(), action_id, reason="Again"),
    ):
        with pytest.raises(RuleViolation, match="closed for good"):
            command()
    assert events_of(app, action_id) == before


def test_completing_or_dropping_needs_an_outcome_or_a_reason(world: World) -> None:
    org = world.orgs[0]
    action_id = assign(world, convene_group(world, [org]), org.id)
    with pytest.raises(InvalidInput, match="outcome must not be empty"):
        world.app.complete_action(org.ctx(), action_id, outcome="")
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        world.app.drop_action(org.ctx(), action_id, reason=" ")


# -- bad references and atomicity -----------------------------------------------------


def test_unknown_ids_are_not_found(world: World) -> None:
    app = world.app
    with pytest.raises(NotFound, match="no partnership with id"):
        app.convene_working_group(
            secretariat(),
            uuid4(),
            theme_id=world.themes["Education"],
            name="G",
            purpose="p",
            decides="d",
            default_rule="consent",
        )
    with pytest.raises(NotFound, match="no working group with id"):
        app.join_working_group(world.orgs[0].ctx(), uuid4())
    with pytest.raises(NotFound, match="no working group with id"):
        app.working_group(world.partnership_id)  # a stream of another kind
    with pytest.raises(NotFound, match="no action with id"):
        app.complete_action(secretariat(), uuid4(), outcome="Done")
    with pytest.raises(NotFound, match="no partnership with id"):
        app.assign_action(
            secretariat(),
            partnership_id=uuid4(),
            group_id=None,
            owner_id=world.orgs[0].id,
            description="d",
            due_on=DUE,
            source_kind="decision",
            source_id=uuid4(),
        )


def test_a_refused_command_records_nothing(world: World) -> None:
    app, org = world.app, world.orgs[0]
    group_id = convene_group(world, [org])
    recorder = app.recorder
    before = (recorder.max_notification_id(), events_of(app, group_id))
    with pytest.raises(RuleViolation):
        app.join_working_group(org.ctx(), group_id)
    with pytest.raises(InvalidInput):
        assign(world, group_id, org.id, due_on=TODAY - timedelta(days=1))
    with pytest.raises(InvalidInput):
        convene_group(world, default_rule="unanimity")
    assert (recorder.max_notification_id(), events_of(app, group_id)) == before


def test_a_pinned_version_applies_to_the_group_stream(world: World) -> None:
    org = world.orgs[0]
    group_id = convene_group(world)
    with pytest.raises(Conflict, match="working group"):
        world.app.join_working_group(
            org.ctx(), group_id, options=CommandOptions(expected_version=7)
        )
    result = world.app.join_working_group(
        org.ctx(NOW), group_id, options=CommandOptions(expected_version=1)
    )
    assert result.version == 2
