"""The decisions view's tally follows the domain's rule: an organisation that withdrew
from the partnership loses its vote on open decisions (B1), live as at closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from coordination.application import Coordination
from coordination.bootstrap import System
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries import decisions
from coordination.projections.runner import ProjectionRunner
from tests.application.conftest import Org, secretariat
from tests.projections.conftest import settle

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DURING = NOW + timedelta(hours=1)
CLOSES = NOW + timedelta(days=7)


def members(app: Coordination, partnership_id: UUID, count: int) -> list[Org]:
    ctx = secretariat(NOW - timedelta(days=30))
    orgs = []
    for number in range(count):
        member = app.admit_member(ctx, partnership_id, name=f"Member {number}", kind="cooperative")
        assert member.created_id is not None
        org = Org(member.created_id, uuid4())
        app.appoint_representative(
            ctx, partnership_id, member_id=org.id, person_id=org.rep, starts_on=ctx.today
        )
        orgs.append(org)
    return orgs


def voting(app: Coordination) -> tuple[UUID, UUID, list[Org]]:
    """A partnership of three members voting on a consent decision: agree, block, agree."""
    partnership_id = app.establish_partnership(
        secretariat(NOW - timedelta(days=30)),
        name="Partnership",
        programme="ESF",
        region="Uppsala county",
        period_start=date(2026, 1, 1),
        period_end=date(2027, 12, 31),
    ).stream_id
    orgs = members(app, partnership_id, 3)
    decision_id = app.table_proposal(
        orgs[0].ctx(),
        partnership_id=partnership_id,
        forum_kind="partnership",
        forum_id=partnership_id,
        title="Shared bookkeeping",
        text="Members share one bookkeeping service.",
        rationale="Cheaper.",
    ).created_id
    assert decision_id is not None
    app.call_decision(
        secretariat(), decision_id, rule="consent", quorum_percent=50, closes_at=CLOSES
    )
    for org, position in zip(orgs, ("agree", "block", "agree"), strict=True):
        reason = "Not for us" if position == "block" else None
        app.take_position(org.ctx(DURING), decision_id, position=position, reason=reason)
    return partnership_id, decision_id, orgs


async def counted_by_org(
    db: ReadDatabase, decision_id: UUID
) -> dict[UUID, tuple[bool, str | None]]:
    page = await decisions.list_positions(db, decision_id)
    together = await decisions.list_positions_of(db, [decision_id])
    assert together[decision_id].nodes == page.nodes  # both reads mark alike
    return {p.organisation_id: (p.counted, p.not_counted_reason) for p in page.nodes}


async def test_a_withdrawn_organisation_loses_its_vote_live_and_at_closing_alike(
    system: System, db: ReadDatabase, runner: ProjectionRunner
) -> None:
    app = system.app
    partnership_id, decision_id, (first, leaving, third) = voting(app)
    await settle(runner, app)
    before = await decisions.get_decision(db, decision_id)
    assert before is not None
    assert before.tally == decisions.Tally(agree=2, abstain=0, disagree=0, block=1, electorate=3)

    app.withdraw_member(
        secretariat(DURING), partnership_id, member_id=leaving.id, reason="Closed down"
    )
    await settle(runner, app)

    live = await decisions.get_decision(db, decision_id)
    assert live is not None
    assert live.tally == decisions.Tally(agree=2, abstain=0, disagree=0, block=0, electorate=2)
    assert live.withdrawn_organisations == [leaving.id]
    assert sorted(live.electorate) == sorted([first.id, leaving.id, third.id])  # as called
    listed = (await decisions.list_decisions(db, partnership_id=partnership_id)).nodes
    assert [d.tally for d in listed] == [live.tally]
    not_counted = (False, decisions.NOT_COUNTED_WITHDRAWN)
    marks = {first.id: (True, None), leaving.id: not_counted, third.id: (True, None)}
    assert await counted_by_org(db, decision_id) == marks

    app.close_decision(secretariat(DURING), decision_id)  # everyone still counted has voted
    result = app.decision(decision_id).result
    assert result is not None
    await settle(runner, app)

    sealed = await decisions.get_decision(db, decision_id)
    assert sealed is not None
    tally = result.tally
    recorded = (tally.agree, tally.abstain, tally.disagree, tally.block, tally.electorate)
    assert recorded == (2, 0, 0, 0, 2)
    assert sealed.tally == live.tally  # one rule: what was shown live is what closing recorded
    assert sealed.withdrawn_organisations == [leaving.id]
    assert await counted_by_org(db, decision_id) == marks

    app.withdraw_member(secretariat(DURING), partnership_id, member_id=third.id, reason="Merged")
    await settle(runner, app)
    after = await decisions.get_decision(db, decision_id)
    assert after is not None
    assert (after.tally, after.withdrawn_organisations) == (sealed.tally, [leaving.id])
    assert (
        await counted_by_org(db, decision_id) == marks
    )  # sealed: later withdrawals change nothing
