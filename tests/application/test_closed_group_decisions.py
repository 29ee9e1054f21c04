"""B2 and B3: a closed working group accepts nothing more, its decisions included.

Closing a group withdraws the proposals still open in it, in the same save; a vote
counted but without its outcome stops the closing. Every command on a decision of a
closed group is then refused for that reason, and only superseding (the later forum's
act) still reaches a closed group's adopted decision.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest

from coordination.application import Coordination
from coordination.domain.decision import GROUP_CLOSED_REASON
from coordination.domain.decision_rules import DecisionStatus
from coordination.domain.errors import RuleViolation
from tests.application.conftest import TODAY, World, secretariat
from tests.application.support_decisions import (
    AFTER,
    DURING,
    EFFECTIVE,
    adopted,
    call,
    table,
    topics,
    vote,
)
from tests.application.support_groups import convene_group

CLOSED = "the working group 'Support services group' is closed: it accepts nothing more"
THREE_AGREE = {0: "agree", 1: "agree", 2: "agree"}


def group_of_three(world: World) -> UUID:
    return convene_group(world, world.orgs[:3])


def in_group(world: World, group_id: UUID) -> UUID:
    """A proposal tabled in the group by its first member."""
    return table(world, forum_kind="working_group", forum_id=group_id)


def called(world: World, group_id: UUID) -> UUID:
    decision_id = in_group(world, group_id)
    call(world, decision_id, rule="consent")
    return decision_id


def counted(world: World, group_id: UUID, positions: dict[int, str]) -> UUID:
    """A called decision of the group whose vote is closed, awaiting its outcome."""
    decision_id = called(world, group_id)
    vote(world, decision_id, positions)
    world.app.close_decision(secretariat(AFTER), decision_id)
    return decision_id


def with_position(world: World, group_id: UUID) -> UUID:
    decision_id = called(world, group_id)
    vote(world, decision_id, {0: "abstain"})
    return decision_id


def voted(world: World, group_id: UUID) -> UUID:
    decision_id = called(world, group_id)
    vote(world, decision_id, THREE_AGREE)
    return decision_id


def adopted_in(world: World, group_id: UUID) -> UUID:
    decision_id = counted(world, group_id, THREE_AGREE)
    world.app.adopt_decision(
        secretariat(AFTER), decision_id, outcome="Adopted", effective_on=EFFECTIVE
    )
    return decision_id


#: Every command on a decision: how to bring a decision of the group to where the command
#: is accepted, and the command.
COMMANDS: dict[str, tuple[Callable[[World, UUID], UUID], Callable[[World, UUID], object]]] = {
    "post_contribution": (
        in_group,
        lambda w, d: w.app.post_contribution(w.orgs[1].ctx(DURING), d, text="We support it"),
    ),
    "revise_proposal": (
        in_group,
        lambda w, d: w.app.revise_proposal(
            w.orgs[0].ctx(DURING), d, title="Revised", text="Better", rationale="Feedback"
        ),
    ),
    "withdraw_proposal": (
        in_group,
        lambda w, d: w.app.withdraw_proposal(w.orgs[0].ctx(DURING), d, reason="Overtaken"),
    ),
    "defer_decision": (
        in_group,
        lambda w, d: w.app.defer_decision(
            secretariat(DURING), d, until=TODAY + timedelta(days=30), reason="Wait for the study"
        ),
    ),
    "call_decision": (
        in_group,
        lambda w, d: call(w, d, rule="consent", at=DURING),
    ),
    "grant_proxy": (
        called,
        lambda w, d: w.app.grant_proxy(
            w.orgs[0].ctx(DURING), d, proxy_person_id=w.orgs[1].rep, proxy_member_id=w.orgs[1].id
        ),
    ),
    "take_position": (
        called,
        lambda w, d: w.app.take_position(w.orgs[0].ctx(DURING), d, position="agree"),
    ),
    "revise_position": (
        with_position,
        lambda w, d: w.app.revise_position(w.orgs[0].ctx(DURING), d, position="agree"),
    ),
    "close_decision": (
        voted,
        lambda w, d: w.app.close_decision(secretariat(AFTER), d),
    ),
    "adopt_decision": (
        lambda w, g: counted(w, g, THREE_AGREE),
        lambda w, d: w.app.adopt_decision(
            secretariat(AFTER), d, outcome="Adopted", effective_on=EFFECTIVE
        ),
    ),
    "reject_decision": (
        lambda w, g: counted(w, g, {0: "agree", 1: "block"}),
        lambda w, d: w.app.reject_decision(secretariat(AFTER), d, reason="Blocked"),
    ),
}


def close_as_before(app: Coordination, group_id: UUID) -> None:
    """Close the group on its stream alone, as releases before this rule did (and as a
    group closed while a proposal was tabled in it elsewhere would look): its open
    decisions are left as they were."""
    group = app.working_group(group_id)
    group.close(secretariat(DURING), reason="Work done")
    app.save(group)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_on_a_decision_of_a_closed_group_is_refused(
    world: World, command: str
) -> None:
    prepare, run = COMMANDS[command]
    run(world, prepare(world, group_of_three(world)))  # accepted while the group is open
    group_id = group_of_three(world)
    decision_id = prepare(world, group_id)
    close_as_before(world.app, group_id)
    before = topics(world.app, decision_id)

    with pytest.raises(RuleViolation, match=CLOSED):
        run(world, decision_id)

    assert topics(world.app, decision_id) == before


def test_closing_withdraws_the_open_proposals_in_the_same_save(world: World) -> None:
    app = world.app
    group_id = group_of_three(world)
    tabled = in_group(world, group_id)
    deferred = in_group(world, group_id)
    app.defer_decision(secretariat(), deferred, until=TODAY + timedelta(days=9), reason="Study")
    voting = called(world, group_id)
    vote(world, voting, {0: "agree", 1: "disagree"})
    kept = adopted_in(world, group_id)
    earlier = topics(app, kept)

    app.close_working_group(secretariat(AFTER), group_id, reason="Work done")

    for decision_id in (tabled, deferred, voting):
        decision = app.decision(decision_id)
        assert (decision.status, decision.end_reason) == (
            DecisionStatus.WITHDRAWN,
            GROUP_CLOSED_REASON,
        )
        assert topics(app, decision_id)[-1] == "coordination.decision.proposal_withdrawn"
    assert set(app.decision(voting).positions) == {world.orgs[0].id, world.orgs[1].id}
    assert topics(app, kept) == earlier  # an outcome reached stands
    assert app.decision(kept).in_force
    assert app.working_group(group_id).closed


def test_the_issue_s_sequence_now_ends_withdrawn_not_adopted(world: World) -> None:
    app = world.app
    group_id = group_of_three(world)
    decision_id = called(world, group_id)
    app.close_working_group(secretariat(DURING), group_id, reason="Merged into another group")
    after_closing = topics(app, decision_id)
    attempts = [
        lambda: app.revise_proposal(
            world.orgs[0].ctx(DURING), decision_id, title="T", text="X", rationale="R"
        ),
        lambda: app.grant_proxy(
            world.orgs[0].ctx(DURING),
            decision_id,
            proxy_person_id=world.orgs[1].rep,
            proxy_member_id=world.orgs[1].id,
        ),
        lambda: vote(world, decision_id, THREE_AGREE),
        lambda: app.close_decision(secretariat(AFTER), decision_id),
        lambda: app.adopt_decision(
            secretariat(AFTER), decision_id, outcome="O", effective_on=EFFECTIVE
        ),
        lambda: app.withdraw_proposal(world.orgs[0].ctx(DURING), decision_id, reason="R"),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation, match=CLOSED):
            attempt()
    assert topics(app, decision_id) == after_closing
    assert app.decision(decision_id).status is DecisionStatus.WITHDRAWN
    assert not app.decision(decision_id).in_force


def test_a_vote_awaiting_its_outcome_stops_the_closing_and_nothing_is_recorded(
    world: World,
) -> None:
    app = world.app
    group_id = group_of_three(world)
    tabled = in_group(world, group_id)
    pending = counted(world, group_id, THREE_AGREE)
    before = (topics(app, group_id), topics(app, tabled), topics(app, pending))

    with pytest.raises(RuleViolation, match="awaits adoption or rejection: settle it before"):
        app.close_working_group(secretariat(AFTER), group_id, reason="Work done")

    assert (topics(app, group_id), topics(app, tabled), topics(app, pending)) == before
    app.adopt_decision(secretariat(AFTER), pending, outcome="Adopted", effective_on=EFFECTIVE)
    app.close_working_group(secretariat(AFTER), group_id, reason="Work done")
    assert app.decision(tabled).status is DecisionStatus.WITHDRAWN
    assert app.decision(pending).in_force


def test_a_proposal_tabled_in_a_group_is_listed_by_the_group(world: World) -> None:
    group_id = group_of_three(world)
    decision_id = in_group(world, group_id)
    partnership_decision = table(world)
    assert world.app.working_group(group_id).proposals == [decision_id]
    assert topics(world.app, group_id)[-1] == "coordination.working_group.proposal_received"
    assert partnership_decision not in world.app.working_group(group_id).proposals


def test_a_closed_group_s_adopted_decision_can_still_be_superseded(world: World) -> None:
    app = world.app
    group_id = group_of_three(world)
    in_part, in_full = adopted_in(world, group_id), adopted_in(world, group_id)
    app.close_working_group(secretariat(AFTER), group_id, reason="Work done")
    later = AFTER + timedelta(days=1)
    replacing = adopted(world, at=later)
    app.supersede_decision(
        secretariat(later), in_part, by_decision_id=replacing, scope="part", note="Article 2"
    )
    assert app.decision(in_part).superseded_in_part_by == [replacing]
    successor = adopted(world, at=later, supersedes=in_full)
    assert app.decision(in_full).status is DecisionStatus.SUPERSEDED
    assert app.decision(in_full).superseded_by == successor
