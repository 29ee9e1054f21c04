"""B3: decisions from proposal to outcome, one test per rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest

from coordination.domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from tests.application.conftest import NOW, TODAY, World, person_ctx, secretariat
from tests.application.support_decisions import (
    AFTER,
    CLOSES,
    DURING,
    EFFECTIVE,
    adopted,
    call,
    closed,
    decision_of_another_partnership,
    table,
    topics,
    vote,
)
from tests.application.support_groups import convene_group
from tests.application.support_workshops import held

ALL_AGREE = {0: "agree", 1: "agree", 2: "agree", 3: "agree", 4: "agree"}
T = "coordination.decision."

# -- tabling ------------------------------------------------------------------------


def test_a_proposal_is_tabled_in_the_partnership_forum_by_a_member(world: World) -> None:
    decision_id = table(world)
    decision = world.app.decision(decision_id)
    assert (decision.status, decision.revision) == ("tabled", 1)
    assert decision.proposer_id == world.orgs[0].id
    assert decision.audience() == "partnership"
    assert topics(world.app, decision_id) == [T + "proposal_tabled"]


def test_tabling_is_done_on_behalf_of_a_member(world: World) -> None:
    with pytest.raises(Forbidden, match="on behalf of a member"):
        world.app.table_proposal(
            secretariat(),
            partnership_id=world.partnership_id,
            forum_kind="partnership",
            forum_id=world.partnership_id,
            title="T",
            text="X",
            rationale="R",
        )


def test_a_representative_cannot_act_outside_their_mandate(world: World) -> None:
    outsider = person_ctx(world.orgs[1].rep, world.orgs[0].id)
    with pytest.raises(Forbidden, match="not a current representative"):
        world.app.table_proposal(
            outsider,
            partnership_id=world.partnership_id,
            forum_kind="partnership",
            forum_id=world.partnership_id,
            title="T",
            text="X",
            rationale="R",
        )


def test_title_and_text_must_be_given_and_fit(world: World) -> None:
    with pytest.raises(InvalidInput, match="title must not be empty"):
        table(world, title="  ")
    with pytest.raises(InvalidInput, match="limit is 300"):
        table(world, title="x" * 301)
    with pytest.raises(InvalidInput, match="text is 20001 characters long"):
        table(world, text="x" * 20_001)
    with pytest.raises(InvalidInput, match="rationale must not be empty"):
        table(world, rationale="")


def test_the_forum_is_the_partnership_or_one_of_its_working_groups(world: World) -> None:
    with pytest.raises(InvalidInput, match="forum_kind 'committee' is not one of"):
        table(world, forum_kind="committee")
    with pytest.raises(InvalidInput, match="forum_id must be the partnership's own id"):
        table(world, forum_id=uuid4())
    with pytest.raises(NotFound, match="no working group with id"):
        table(world, forum_kind="working_group", forum_id=uuid4())
    with pytest.raises(NotFound, match="no partnership with id"):
        table(world, partnership_id=uuid4())


def test_a_working_group_proposal_is_tabled_by_a_group_member_for_its_forum(
    world: World,
) -> None:
    group_id = convene_group(world, world.orgs[:2])
    with pytest.raises(RuleViolation, match="not a member of the working group"):
        table(world, world.orgs[2], forum_kind="working_group", forum_id=group_id)
    decision_id = table(world, forum_kind="working_group", forum_id=group_id)
    assert world.app.decision(decision_id).audience() == f"forum:{group_id}"
    event = next(iter(world.app.repository.event_store.get(decision_id)))
    assert event.audience == f"forum:{group_id}"  # type: ignore[attr-defined]


def test_a_closed_working_group_takes_no_proposals(world: World) -> None:
    group_id = convene_group(world, world.orgs[:2])
    world.app.close_working_group(secretariat(), group_id, reason="Work done")
    with pytest.raises(RuleViolation, match="is closed"):
        table(world, forum_kind="working_group", forum_id=group_id)


def test_a_proposal_supersedes_only_an_adopted_decision_of_the_partnership(
    world: World,
) -> None:
    with pytest.raises(NotFound, match="no decision with id"):
        table(world, supersedes=uuid4())
    with pytest.raises(RuleViolation, match="must be an adopted decision still in force"):
        table(world, supersedes=table(world))
    elsewhere = decision_of_another_partnership(world.app)
    with pytest.raises(NotFound, match="in this partnership"):
        table(world, supersedes=elsewhere)


# -- discussion and revisions ---------------------------------------------------------


def test_the_discussion_thread_is_open_until_the_decision_is_sealed(world: World) -> None:
    app, decision_id = world.app, table(world)
    app.post_contribution(world.orgs[1].ctx(), decision_id, text="What threshold?")
    call(world, decision_id)
    app.post_contribution(world.orgs[2].ctx(DURING), decision_id, text="The EU one.")
    thread = app.decision(decision_id).contributions
    assert [(c.member_id, c.revision) for c in thread] == [
        (world.orgs[1].id, 1),
        (world.orgs[2].id, 1),
    ]
    vote(world, decision_id, ALL_AGREE)
    app.close_decision(secretariat(DURING), decision_id)
    with pytest.raises(RuleViolation, match="closed and sealed: no further contributions"):
        app.post_contribution(world.orgs[1].ctx(AFTER), decision_id, text="Late")


def test_contributions_are_made_for_a_member_and_must_not_be_empty(world: World) -> None:
    decision_id = table(world)
    with pytest.raises(Forbidden, match="on behalf of a member"):
        world.app.post_contribution(secretariat(), decision_id, text="Hello")
    with pytest.raises(InvalidInput, match="text must not be empty"):
        world.app.post_contribution(world.orgs[1].ctx(), decision_id, text=" ")
    with pytest.raises(NotFound, match="no decision with id"):
        world.app.post_contribution(world.orgs[1].ctx(), uuid4(), text="Hello")


def test_only_the_forum_s_members_discuss_a_working_group_proposal(world: World) -> None:
    group_id = convene_group(world, world.orgs[:2])
    decision_id = table(world, forum_kind="working_group", forum_id=group_id)
    with pytest.raises(RuleViolation, match="not a member of the working group"):
        world.app.post_contribution(world.orgs[3].ctx(), decision_id, text="Me too")


def test_a_revision_flags_the_positions_taken_on_the_earlier_text(world: World) -> None:
    app, decision_id = world.app, table(world)
    call(world, decision_id)
    vote(world, decision_id, {1: "agree", 2: "abstain"})
    app.revise_proposal(
        world.orgs[0].ctx(DURING),
        decision_id,
        title="Social clauses",
        text="Above the EU threshold only.",
        rationale="Simpler to apply.",
    )
    decision = app.decision(decision_id)
    assert decision.revision == 2
    assert set(decision.flagged_positions()) == {world.orgs[1].id, world.orgs[2].id}
    app.revise_position(world.orgs[1].ctx(DURING), decision_id, position="agree")
    assert app.decision(decision_id).flagged_positions() == [world.orgs[2].id]


def test_only_the_proposer_or_the_secretariat_revises_a_proposal(world: World) -> None:
    decision_id = table(world)
    with pytest.raises(Forbidden, match="only the organisation that tabled the proposal"):
        world.app.revise_proposal(
            world.orgs[1].ctx(), decision_id, title="Mine", text="Now", rationale="Why not"
        )
    world.app.revise_proposal(secretariat(), decision_id, title="T2", text="X2", rationale="R2")
    assert world.app.decision(decision_id).revision == 2


def test_a_revision_must_change_something(world: World) -> None:
    decision_id = table(world)
    decision = world.app.decision(decision_id)
    with pytest.raises(RuleViolation, match="changes nothing"):
        world.app.revise_proposal(
            world.orgs[0].ctx(),
            decision_id,
            title=decision.title,
            text=decision.text,
            rationale=decision.rationale,
        )


def test_a_sealed_proposal_cannot_be_revised(world: World) -> None:
    decision_id = closed(world, ALL_AGREE)
    with pytest.raises(RuleViolation, match="closed and sealed: no further revisions"):
        world.app.revise_proposal(
            world.orgs[0].ctx(AFTER), decision_id, title="T", text="X", rationale="R"
        )


# -- calling: rule, quorum, closing time, electorate -----------------------------------


def test_the_electorate_is_the_forum_s_members_at_call_time(world: World) -> None:
    app, pid = world.app, world.partnership_id
    app.withdraw_member(secretariat(), pid, member_id=world.orgs[4].id, reason="Merged")
    decision_id = table(world)
    call(world, decision_id)
    newcomer = app.admit_member(secretariat(DURING), pid, name="Newcomer", kind="other")
    assert newcomer.created_id is not None
    rep = uuid4()
    app.appoint_representative(
        secretariat(DURING), pid, member_id=newcomer.created_id, person_id=rep, starts_on=TODAY
    )
    electorate = app.decision(decision_id).call.electorate  # type: ignore[union-attr]
    assert set(electorate) == {org.id for org in world.orgs[:4]}
    with pytest.raises(RuleViolation, match="not in the electorate"):
        app.take_position(
            person_ctx(rep, newcomer.created_id, DURING), decision_id, position="agree"
        )


def test_a_working_group_s_electorate_is_its_members_still_in_the_partnership(
    world: World,
) -> None:
    group_id = convene_group(world, world.orgs[:3], default_rule="majority")
    world.app.withdraw_member(
        secretariat(), world.partnership_id, member_id=world.orgs[2].id, reason="Left"
    )
    decision_id = table(world, forum_kind="working_group", forum_id=group_id)
    call(world, decision_id, rule=None)
    terms = world.app.decision(decision_id).call
    assert terms is not None
    assert set(terms.electorate) == {world.orgs[0].id, world.orgs[1].id}
    assert terms.rule == "majority"  # the charter's default rule


def test_a_partnership_decision_is_called_with_an_explicit_rule(world: World) -> None:
    decision_id = table(world)
    with pytest.raises(InvalidInput, match="rule is required for a decision of the partnership"):
        call(world, decision_id, rule=None)
    with pytest.raises(InvalidInput, match="rule 'unanimity' is not one of"):
        call(world, decision_id, rule="unanimity")


def test_quorum_and_threshold_are_percentages(world: World) -> None:
    decision_id = table(world)
    with pytest.raises(InvalidInput, match="quorum_percent must be a whole number from 0 to 100"):
        call(world, decision_id, quorum_percent=120)
    with pytest.raises(InvalidInput, match="more than 50%"):
        call(world, decision_id, rule="qualified_majority", threshold_percent=40)
    call(world, decision_id, rule="qualified_majority")
    assert world.app.decision(decision_id).call.threshold_percent == 67  # type: ignore[union-attr]


def test_the_vote_must_close_after_it_is_called(world: World) -> None:
    decision_id = table(world)
    with pytest.raises(InvalidInput, match="closes_at must be after the vote is called"):
        call(world, decision_id, closes_at=NOW - timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="time zone"):
        call(world, decision_id, closes_at=CLOSES.replace(tzinfo=None))
    # Later than any time the views can write in UTC: recorded, it stopped the stream's
    # views (its event parked) instead of being refused.
    end_of_calendar = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(-timedelta(hours=2)))
    with pytest.raises(InvalidInput, match="outside the years 1 to 9999 in UTC"):
        call(world, decision_id, closes_at=end_of_calendar)


def test_a_decision_is_called_once(world: World) -> None:
    decision_id = table(world)
    call(world, decision_id)
    with pytest.raises(RuleViolation, match="already called"):
        call(world, decision_id)


# -- positions and proxies ------------------------------------------------------------


def test_one_counted_position_per_organisation_with_its_history_kept(world: World) -> None:
    app, decision_id = world.app, table(world)
    call(world, decision_id)
    org = world.orgs[1]
    app.take_position(org.ctx(DURING), decision_id, position="agree")
    with pytest.raises(RuleViolation, match="revise it instead"):
        app.take_position(org.ctx(DURING), decision_id, position="abstain")
    app.revise_position(org.ctx(DURING), decision_id, position="block", reason="Too costly")
    stance = app.decision(decision_id).positions[org.id]
    assert (stance.position, stance.reason) == ("block", "Too costly")
    assert topics(app, decision_id)[-2:] == [T + "position_taken", T + "position_revised"]


def test_a_position_is_revised_only_once_taken_and_only_to_change(world: World) -> None:
    app, decision_id = world.app, table(world)
    call(world, decision_id)
    org = world.orgs[1]
    with pytest.raises(RuleViolation, match="no position to revise"):
        app.revise_position(org.ctx(DURING), decision_id, position="agree")
    app.take_position(org.ctx(DURING), decision_id, position="agree")
    with pytest.raises(RuleViolation, match="same as the one already taken"):
        app.revise_position(org.ctx(DURING), decision_id, position="agree")


@pytest.mark.parametrize("position", ["disagree", "block"])
def test_disagreeing_and_blocking_need_a_reason(world: World, position: str) -> None:
    decision_id = table(world)
    call(world, decision_id)
    with pytest.raises(InvalidInput, match=f"reason is required to {position}"):
        world.app.take_position(world.orgs[1].ctx(DURING), decision_id, position=position)


def test_positions_are_taken_only_while_the_vote_is_open(world: World) -> None:
    decision_id = table(world)
    with pytest.raises(RuleViolation, match="has not been called"):
        world.app.take_position(world.orgs[1].ctx(), decision_id, position="agree")
    call(world, decision_id)
    with pytest.raises(RuleViolation, match="the vote closed at"):
        world.app.take_position(world.orgs[1].ctx(CLOSES), decision_id, position="agree")


def test_a_position_is_taken_by_a_representative_of_the_organisation(world: World) -> None:
    decision_id = table(world)
    call(world, decision_id)
    impostor = person_ctx(world.orgs[2].rep, world.orgs[1].id, DURING)
    with pytest.raises(Forbidden, match="holds no valid proxy from it"):
        world.app.take_position(impostor, decision_id, position="agree")
    with pytest.raises(Forbidden, match="on behalf of a member"):
        world.app.take_position(secretariat(DURING), decision_id, position="agree")


def test_a_proxy_lets_another_member_s_representative_act_for_this_decision_only(
    world: World,
) -> None:
    app, granting, holder = world.app, world.orgs[1], world.orgs[2]
    decision_id, other_id = table(world), table(world, title="Another proposal")
    call(world, decision_id)
    call(world, other_id)
    app.grant_proxy(
        granting.ctx(), decision_id, proxy_person_id=holder.rep, proxy_member_id=holder.id
    )
    as_proxy = person_ctx(holder.rep, granting.id, DURING)
    app.take_position(as_proxy, decision_id, position="abstain")
    stance = app.decision(decision_id).positions[granting.id]
    assert (stance.position, stance.by_proxy) == ("abstain", True)
    last = list(app.repository.event_store.get(decision_id))[-1]
    assert (last.actor, last.acting_for) == (str(holder.rep), granting.id)  # type: ignore[attr-defined]
    with pytest.raises(Forbidden, match="holds no valid proxy from it for this decision"):
        app.take_position(as_proxy, other_id, position="abstain")


def test_a_new_proxy_replaces_the_earlier_one(world: World) -> None:
    app, granting, first, second = world.app, world.orgs[1], world.orgs[2], world.orgs[3]
    decision_id = table(world)
    call(world, decision_id)
    for holder in (first, second):
        app.grant_proxy(
            granting.ctx(), decision_id, proxy_person_id=holder.rep, proxy_member_id=holder.id
        )
    with pytest.raises(Forbidden, match="holds no valid proxy"):
        app.take_position(person_ctx(first.rep, granting.id, DURING), decision_id, position="agree")
    app.take_position(person_ctx(second.rep, granting.id, DURING), decision_id, position="agree")


def test_a_proxy_goes_from_the_electorate_to_a_current_representative_of_another_member(
    world: World,
) -> None:
    app, pid = world.app, world.partnership_id
    decision_id = table(world)
    with pytest.raises(RuleViolation, match="has not been called"):
        app.grant_proxy(
            world.orgs[1].ctx(),
            decision_id,
            proxy_person_id=world.orgs[2].rep,
            proxy_member_id=world.orgs[2].id,
        )
    call(world, decision_id)
    with pytest.raises(Forbidden, match="not a current representative"):
        app.grant_proxy(
            world.orgs[1].ctx(),
            decision_id,
            proxy_person_id=uuid4(),
            proxy_member_id=world.orgs[2].id,
        )
    with pytest.raises(RuleViolation, match="own representatives need no proxy"):
        app.grant_proxy(
            world.orgs[1].ctx(),
            decision_id,
            proxy_person_id=world.orgs[1].rep,
            proxy_member_id=world.orgs[1].id,
        )
    late = app.admit_member(secretariat(DURING), pid, name="Late", kind="other").created_id
    assert late is not None
    rep = uuid4()
    app.appoint_representative(
        secretariat(DURING), pid, member_id=late, person_id=rep, starts_on=TODAY
    )
    with pytest.raises(RuleViolation, match="not in the electorate"):
        app.grant_proxy(
            person_ctx(rep, late, DURING),
            decision_id,
            proxy_person_id=world.orgs[2].rep,
            proxy_member_id=world.orgs[2].id,
        )


# -- closing, the tally and the seal ----------------------------------------------------


def test_closing_before_closes_at_needs_every_position(world: World) -> None:
    app, decision_id = world.app, table(world)
    call(world, decision_id)
    vote(world, decision_id, {0: "agree", 1: "agree", 2: "agree", 3: "agree"})
    with pytest.raises(RuleViolation, match="closes earlier only when every organisation"):
        app.close_decision(secretariat(DURING), decision_id)
    vote(world, decision_id, {4: "abstain"})
    app.close_decision(secretariat(DURING), decision_id)
    assert app.decision(decision_id).status == "closed"


def test_closing_records_the_tally_and_the_quorum(world: World) -> None:
    decision_id = closed(world, {0: "agree", 1: "disagree", 2: "block"}, quorum_percent=60)
    decision = world.app.decision(decision_id)
    assert decision.result is not None
    tally = decision.result.tally
    assert (tally.agree, tally.abstain, tally.disagree, tally.block) == (1, 0, 1, 1)
    assert decision.result.quorum_met
    assert not decision.result.rule_met
    event = list(world.app.repository.event_store.get(decision_id))[-1]
    assert (event.agree, event.block, event.quorum_met) == (1, 1, True)  # type: ignore[attr-defined]


def test_a_quorum_not_reached_is_recorded(world: World) -> None:
    decision_id = closed(world, {0: "agree", 1: "agree"}, quorum_percent=50)
    result = world.app.decision(decision_id).result
    assert result is not None
    assert not result.quorum_met  # 2 of 5 is 40%
    with pytest.raises(RuleViolation, match="quorum of 50% was not reached"):
        world.app.adopt_decision(
            secretariat(AFTER), decision_id, outcome="O", effective_on=EFFECTIVE
        )


def test_an_organisation_that_withdraws_loses_its_vote_on_open_decisions(world: World) -> None:
    app, leaving = world.app, world.orgs[4]
    decision_id = table(world)
    call(world, decision_id)
    vote(world, decision_id, {0: "agree", 1: "agree", 2: "agree", 3: "agree", 4: "block"})
    app.withdraw_member(
        secretariat(DURING), world.partnership_id, member_id=leaving.id, reason="Closed down"
    )
    app.close_decision(secretariat(DURING), decision_id)  # the rest have all taken positions
    result = app.decision(decision_id).result
    assert result is not None
    assert result.withdrawn == [leaving.id]
    assert (result.tally.block, result.tally.electorate, result.rule_met) == (0, 4, True)


def test_a_sealed_decision_takes_no_positions_or_proxies(world: World) -> None:
    app, decision_id = world.app, closed(world, {0: "agree", 1: "agree", 2: "agree"})
    with pytest.raises(RuleViolation, match="closed and sealed: no further positions"):
        app.take_position(world.orgs[3].ctx(AFTER), decision_id, position="agree")
    with pytest.raises(RuleViolation, match="closed and sealed: no further positions"):
        app.revise_position(world.orgs[0].ctx(AFTER), decision_id, position="abstain")
    with pytest.raises(RuleViolation, match="closed and sealed: no further proxies"):
        app.grant_proxy(
            world.orgs[3].ctx(AFTER),
            decision_id,
            proxy_person_id=world.orgs[0].rep,
            proxy_member_id=world.orgs[0].id,
        )
    with pytest.raises(RuleViolation, match="only a called decision can be closed"):
        app.close_decision(secretariat(AFTER), decision_id)


def test_a_refused_command_records_nothing(world: World) -> None:
    app, decision_id = world.app, closed(world, {0: "agree", 1: "agree", 2: "agree"})
    before = topics(app, decision_id)
    with pytest.raises(RuleViolation):
        app.take_position(world.orgs[3].ctx(AFTER), decision_id, position="agree")
    with pytest.raises(InvalidInput):
        app.adopt_decision(
            secretariat(AFTER),
            decision_id,
            outcome="O",
            effective_on=EFFECTIVE,
            review_on=EFFECTIVE,
        )
    assert topics(app, decision_id) == before


# -- outcome ---------------------------------------------------------------------------


def test_consensus_fails_on_any_block_and_the_decision_is_rejected(world: World) -> None:
    app = world.app
    decision_id = closed(world, {0: "agree", 1: "agree", 2: "agree", 3: "agree", 4: "block"})
    with pytest.raises(RuleViolation, match="consensus fails: 1 organisation"):
        app.adopt_decision(secretariat(AFTER), decision_id, outcome="O", effective_on=EFFECTIVE)
    app.reject_decision(secretariat(AFTER), decision_id, reason="Blocked by a member")
    decision = app.decision(decision_id)
    assert (decision.status, decision.end_reason) == ("rejected", "Blocked by a member")


def test_consent_is_met_despite_disagreement(world: World) -> None:
    decision_id = closed(world, {0: "agree", 1: "disagree", 2: "abstain"}, rule="consent")
    world.app.adopt_decision(secretariat(AFTER), decision_id, outcome="O", effective_on=EFFECTIVE)
    assert world.app.decision(decision_id).status == "adopted"


def test_a_decision_that_meets_its_rule_is_not_rejected(world: World) -> None:
    decision_id = closed(world, {0: "agree", 1: "agree", 2: "disagree"}, rule="majority")
    with pytest.raises(RuleViolation, match="adopt it rather than reject it"):
        world.app.reject_decision(secretariat(AFTER), decision_id, reason="No")


def test_an_outcome_is_recorded_only_once_the_vote_is_closed(world: World) -> None:
    decision_id = table(world)
    call(world, decision_id)
    with pytest.raises(RuleViolation, match="only a closed decision can be adopted"):
        world.app.adopt_decision(secretariat(), decision_id, outcome="O", effective_on=EFFECTIVE)
    with pytest.raises(RuleViolation, match="only a closed decision can be rejected"):
        world.app.reject_decision(secretariat(), decision_id, reason="No")


def test_adoption_records_outcome_effective_date_and_a_later_review_date(world: World) -> None:
    app, decision_id = world.app, closed(world, ALL_AGREE)
    with pytest.raises(InvalidInput, match="review_on must be after the effective date"):
        app.adopt_decision(
            secretariat(AFTER),
            decision_id,
            outcome="O",
            effective_on=EFFECTIVE,
            review_on=EFFECTIVE - timedelta(days=1),
        )
    with pytest.raises(InvalidInput, match="outcome must not be empty"):
        app.adopt_decision(secretariat(AFTER), decision_id, outcome=" ", effective_on=EFFECTIVE)
    review = EFFECTIVE + timedelta(days=365)
    app.adopt_decision(
        secretariat(AFTER),
        decision_id,
        outcome="Clauses from May",
        effective_on=EFFECTIVE,
        review_on=review,
    )
    decision = app.decision(decision_id)
    assert (decision.outcome, decision.effective_on, decision.review_on) == (
        "Clauses from May",
        EFFECTIVE,
        review,
    )
    assert decision.in_force


# -- withdrawal and deferral --------------------------------------------------------------


def test_a_proposal_is_withdrawn_before_closing_and_then_takes_nothing_more(
    world: World,
) -> None:
    app, decision_id = world.app, table(world)
    call(world, decision_id)
    with pytest.raises(Forbidden, match="only the organisation that tabled the proposal"):
        app.withdraw_proposal(world.orgs[1].ctx(), decision_id, reason="Mine now")
    app.withdraw_proposal(world.orgs[0].ctx(), decision_id, reason="Not ready")
    assert app.decision(decision_id).status == "withdrawn"
    with pytest.raises(RuleViolation, match="withdrawn: no further positions"):
        app.take_position(world.orgs[1].ctx(DURING), decision_id, position="agree")
    with pytest.raises(RuleViolation, match="withdrawn: no further withdrawal"):
        app.withdraw_proposal(world.orgs[0].ctx(), decision_id, reason="Again")


def test_a_closed_decision_cannot_be_withdrawn_or_deferred(world: World) -> None:
    decision_id = closed(world, ALL_AGREE)
    with pytest.raises(RuleViolation, match="closed and sealed: no further withdrawal"):
        world.app.withdraw_proposal(secretariat(AFTER), decision_id, reason="Too late")
    with pytest.raises(RuleViolation, match="closed and sealed: no further deferral"):
        world.app.defer_decision(
            secretariat(AFTER), decision_id, until=TODAY + timedelta(days=60), reason="Later"
        )


def test_a_deferred_decision_returns_to_the_table_and_can_be_called_again(world: World) -> None:
    app, decision_id = world.app, table(world)
    call(world, decision_id)
    vote(world, decision_id, {1: "agree"})
    with pytest.raises(InvalidInput, match="until must be later than today"):
        app.defer_decision(secretariat(DURING), decision_id, until=TODAY, reason="Later")
    until = TODAY + timedelta(days=30)
    app.defer_decision(secretariat(DURING), decision_id, until=until, reason="Await the budget")
    decision = app.decision(decision_id)
    assert (decision.status, decision.deferred_until, decision.call) == ("tabled", until, None)
    assert decision.positions == {}  # the lapsed call's positions stay in the history only
    recall = NOW + timedelta(days=31)
    call(world, decision_id, at=recall, closes_at=recall + timedelta(days=7))
    app.take_position(world.orgs[1].ctx(recall), decision_id, position="abstain")
    assert app.decision(decision_id).status == "called"


# -- supersession and decisions recorded from minutes -----------------------------------


def test_a_decision_superseded_in_full_stays_readable_but_not_in_force(world: World) -> None:
    app = world.app
    old_id = adopted(world)
    new_id = adopted(world, at=AFTER + timedelta(days=1), title="Stronger clauses")
    app.supersede_decision(
        secretariat(AFTER + timedelta(days=1)),
        old_id,
        by_decision_id=new_id,
        scope="full",
        note="Replaced by stronger clauses",
    )
    old, new = app.decision(old_id), app.decision(new_id)
    assert (old.status, old.in_force, old.superseded_by) == ("superseded", False, new_id)
    assert old.outcome == "Adopted as proposed"  # the old one stays readable
    assert new.in_force
    with pytest.raises(RuleViolation, match="superseded decision must be an adopted decision"):
        app.supersede_decision(
            secretariat(AFTER), old_id, by_decision_id=new_id, scope="part", note="Again"
        )


def test_a_decision_superseded_in_part_stays_in_force(world: World) -> None:
    app = world.app
    old_id = adopted(world)
    new_id = adopted(world, at=AFTER + timedelta(days=1), title="Thresholds")
    app.supersede_decision(
        secretariat(AFTER), old_id, by_decision_id=new_id, scope="part", note="Thresholds only"
    )
    old = app.decision(old_id)
    assert (old.in_force, old.superseded_in_part_by) == (True, [new_id])
    with pytest.raises(RuleViolation, match="already superseded in part by that one"):
        app.supersede_decision(
            secretariat(AFTER), old_id, by_decision_id=new_id, scope="part", note="Again"
        )


def test_supersession_needs_a_later_adopted_decision_of_the_same_partnership(
    world: World,
) -> None:
    app = world.app
    old_id = adopted(world)
    tabled_id = table(world, title="Only tabled")
    with pytest.raises(RuleViolation, match="superseding decision must be an adopted decision"):
        app.supersede_decision(
            secretariat(AFTER), old_id, by_decision_id=tabled_id, scope="full", note="N"
        )
    with pytest.raises(RuleViolation, match="cannot supersede itself"):
        app.supersede_decision(
            secretariat(AFTER), old_id, by_decision_id=old_id, scope="full", note="N"
        )
    with pytest.raises(RuleViolation, match="by one of the same partnership"):
        app.supersede_decision(
            secretariat(AFTER),
            old_id,
            by_decision_id=decision_of_another_partnership(app),
            scope="full",
            note="N",
        )
    with pytest.raises(InvalidInput, match="scope 'most' is not one of: full, part"):
        app.supersede_decision(
            secretariat(AFTER), old_id, by_decision_id=old_id, scope="most", note="N"
        )
    later_id = adopted(world, at=AFTER + timedelta(days=2), title="Later")
    with pytest.raises(RuleViolation, match="superseded by one adopted after it"):
        app.supersede_decision(
            secretariat(AFTER), later_id, by_decision_id=old_id, scope="full", note="N"
        )


def test_adopting_a_proposal_that_supersedes_records_both_in_one_save(world: World) -> None:
    app = world.app
    old_id = adopted(world)
    new_id = closed(world, ALL_AGREE, title="Replacement", supersedes=old_id)
    app.adopt_decision(
        secretariat(AFTER + timedelta(days=1)),
        new_id,
        outcome="Replaced",
        effective_on=EFFECTIVE,
    )
    old = app.decision(old_id)
    assert (old.status, old.superseded_by) == ("superseded", new_id)
    assert topics(app, old_id)[-1] == T + "decision_superseded"
    assert app.decision(new_id).supersedes == old_id


def test_a_failed_supersession_on_adoption_records_nothing_on_either(world: World) -> None:
    app = world.app
    old_id = adopted(world)
    first = closed(world, ALL_AGREE, title="First replacement", supersedes=old_id)
    second = closed(world, ALL_AGREE, title="Second replacement", supersedes=old_id)
    app.adopt_decision(secretariat(AFTER), first, outcome="Replaced", effective_on=EFFECTIVE)
    old_before, second_before = topics(app, old_id), topics(app, second)
    with pytest.raises(RuleViolation, match="superseded decision must be an adopted decision"):
        app.adopt_decision(secretariat(AFTER), second, outcome="Too", effective_on=EFFECTIVE)
    assert (topics(app, old_id), topics(app, second)) == (old_before, second_before)


def test_a_decision_is_recorded_from_approved_minutes_only(world: World) -> None:
    app, pid = world.app, world.partnership_id
    workshop_id = held(world)
    later = NOW + timedelta(days=10)
    arguments: dict[str, Any] = {
        "partnership_id": pid,
        "forum_kind": "partnership",
        "forum_id": pid,
        "workshop_id": workshop_id,
        "title": "Joint procurement guide",
        "text": "Members write a joint guide.",
        "outcome": "Guide by June",
        "effective_on": EFFECTIVE,
    }
    app.draft_minutes(secretariat(later), workshop_id, text="We agreed on a joint guide.")
    with pytest.raises(RuleViolation, match="minutes are not approved"):
        app.record_decision_from_minutes(secretariat(later), **arguments)
    app.approve_minutes(secretariat(later), workshop_id)
    decision_id = app.record_decision_from_minutes(secretariat(later), **arguments).created_id
    assert decision_id is not None
    decision = app.decision(decision_id)
    workshop = app.workshop(workshop_id)
    assert (decision.status, decision.workshop_id, decision.minutes_hash) == (
        "adopted",
        workshop_id,
        workshop.minutes_hash,
    )
    assert topics(app, decision_id) == [T + "decision_recorded_from_minutes"]
    with pytest.raises(NotFound, match="no workshop with id"):
        app.record_decision_from_minutes(
            secretariat(later), **{**arguments, "workshop_id": uuid4()}
        )


def test_a_decision_links_only_minutes_of_its_own_partnership(world: World) -> None:
    app, workshop_id = world.app, held(world)
    later = NOW + timedelta(days=10)
    app.draft_minutes(secretariat(later), workshop_id, text="We agreed on a joint guide.")
    app.approve_minutes(secretariat(later), workshop_id)
    other = app.decision(decision_of_another_partnership(app)).partnership_id
    with pytest.raises(NotFound, match=r"no workshop with id .* in this partnership"):
        app.record_decision_from_minutes(
            secretariat(later),
            partnership_id=other,
            forum_kind="partnership",
            forum_id=other,
            workshop_id=workshop_id,
            title="Guide",
            text="A guide.",
            outcome="Guide by June",
            effective_on=EFFECTIVE,
        )


def test_the_secretariat_s_commands_refuse_a_false_claim_to_act_for_a_member(
    world: World,
) -> None:
    decision_id = table(world)
    false_claim = person_ctx(world.orgs[1].rep, world.orgs[0].id)
    with pytest.raises(Forbidden, match="not a current representative"):
        world.app.call_decision(
            false_claim, decision_id, rule="consent", quorum_percent=50, closes_at=CLOSES
        )


def test_a_proxy_holder_must_still_represent_their_own_organisation(world: World) -> None:
    app, granting, holder = world.app, world.orgs[1], world.orgs[2]
    decision_id = table(world)
    call(world, decision_id)
    app.grant_proxy(
        granting.ctx(), decision_id, proxy_person_id=holder.rep, proxy_member_id=holder.id
    )
    app.withdraw_member(
        secretariat(DURING), world.partnership_id, member_id=holder.id, reason="Merged"
    )
    with pytest.raises(Forbidden, match="holds no valid proxy"):
        app.take_position(
            person_ctx(holder.rep, granting.id, DURING), decision_id, position="agree"
        )


def test_only_the_person_holding_the_proxy_uses_it(world: World) -> None:
    app, pid, granting, holder = world.app, world.partnership_id, world.orgs[1], world.orgs[2]
    colleague = uuid4()  # another representative of the holder's organisation
    app.appoint_representative(
        secretariat(), pid, member_id=holder.id, person_id=colleague, starts_on=TODAY
    )
    decision_id = table(world)
    call(world, decision_id)
    app.grant_proxy(
        granting.ctx(), decision_id, proxy_person_id=holder.rep, proxy_member_id=holder.id
    )
    with pytest.raises(Forbidden, match="holds no valid proxy"):
        app.take_position(person_ctx(colleague, granting.id, DURING), decision_id, position="agree")


def test_a_proxy_is_granted_once_by_a_representative_of_the_granting_member(
    world: World,
) -> None:
    app, granting, holder = world.app, world.orgs[1], world.orgs[2]
    decision_id = table(world)
    call(world, decision_id)
    with pytest.raises(Forbidden, match="not a current representative"):
        app.grant_proxy(
            person_ctx(world.orgs[3].rep, granting.id),
            decision_id,
            proxy_person_id=holder.rep,
            proxy_member_id=holder.id,
        )
    app.grant_proxy(
        granting.ctx(), decision_id, proxy_person_id=holder.rep, proxy_member_id=holder.id
    )
    with pytest.raises(RuleViolation, match="already granted"):
        app.grant_proxy(
            granting.ctx(), decision_id, proxy_person_id=holder.rep, proxy_member_id=holder.id
        )


def test_a_withdrawn_or_unknown_organisation_takes_no_position(world: World) -> None:
    app, leaving = world.app, world.orgs[4]
    decision_id = table(world)
    call(world, decision_id)
    app.withdraw_member(
        secretariat(DURING), world.partnership_id, member_id=leaving.id, reason="Closed down"
    )
    with pytest.raises(Forbidden, match="no longer a member"):
        app.take_position(leaving.ctx(DURING), decision_id, position="agree")
    with pytest.raises(Forbidden, match="not a member of this partnership"):
        app.take_position(person_ctx(leaving.rep, uuid4(), DURING), decision_id, position="agree")


def test_a_forum_without_member_organisations_cannot_decide(world: World) -> None:
    only = world.orgs[0]
    group_id = convene_group(world, [only])
    decision_id = table(world, forum_kind="working_group", forum_id=group_id)
    world.app.leave_working_group(only.ctx(), group_id)
    with pytest.raises(RuleViolation, match="no member organisations to decide"):
        call(world, decision_id)
