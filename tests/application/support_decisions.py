"""Helpers for tests of decisions: table a proposal, call it, take positions, close it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from coordination.application import Coordination
from tests.application.conftest import NOW, TODAY, Org, World, person_ctx, secretariat

#: The vote of these tests is open for a week from the fixtures' "now".
CLOSES = NOW + timedelta(days=7)
#: Business time while the vote is open, and once it has closed.
DURING = NOW + timedelta(hours=1)
AFTER = CLOSES + timedelta(hours=1)
EFFECTIVE = TODAY + timedelta(days=14)


def topics(app: Coordination, stream_id: UUID) -> list[str]:
    """The topics of a stream's events, oldest first (empty for an unknown stream)."""
    return [type(e).TOPIC for e in app.repository.event_store.get(stream_id)]  # type: ignore[attr-defined]


def table(world: World, org: Org | None = None, **overrides: Any) -> UUID:
    """Table a proposal in the partnership's forum, by `org` (the first one by default)."""
    proposer = org or world.orgs[0]
    at = overrides.pop("at", NOW)
    arguments: dict[str, Any] = {
        "partnership_id": world.partnership_id,
        "forum_kind": "partnership",
        "forum_id": world.partnership_id,
        "title": "Social clauses in municipal procurement",
        "text": "Members recommend social clauses in every call for tenders above the threshold.",
        "rationale": "Social enterprises cannot compete on price alone.",
    }
    arguments.update(overrides)
    decision_id = world.app.table_proposal(proposer.ctx(at), **arguments)
    assert decision_id.created_id is not None
    return decision_id.created_id


def call(
    world: World,
    decision_id: UUID,
    *,
    rule: str | None = "consensus",
    quorum_percent: int = 50,
    closes_at: datetime = CLOSES,
    at: datetime = NOW,
    **overrides: Any,
) -> None:
    """Call the decision as the secretariat."""
    world.app.call_decision(
        secretariat(at),
        decision_id,
        rule=rule,
        quorum_percent=quorum_percent,
        closes_at=closes_at,
        **overrides,
    )


def vote(
    world: World, decision_id: UUID, positions: Mapping[int, str], at: datetime = DURING
) -> None:
    """Each org (by index in the world) takes its position, with a reason where one is due."""
    for index, position in positions.items():
        world.app.take_position(
            world.orgs[index].ctx(at),
            decision_id,
            position=position,
            reason="Not as drafted" if position in ("disagree", "block") else None,
        )


def closed(
    world: World,
    positions: Mapping[int, str],
    *,
    rule: str = "consensus",
    quorum_percent: int = 50,
    **table_overrides: Any,
) -> UUID:
    """A proposal tabled, called under `rule`, voted as `positions` and closed after the vote."""
    decision_id = table(world, **table_overrides)
    call(world, decision_id, rule=rule, quorum_percent=quorum_percent)
    vote(world, decision_id, positions)
    world.app.close_decision(secretariat(AFTER), decision_id)
    return decision_id


def adopted(world: World, at: datetime = AFTER, **table_overrides: Any) -> UUID:
    """A proposal every organisation agreed to, closed and adopted at `at`."""
    decision_id = closed(world, dict.fromkeys(range(len(world.orgs)), "agree"), **table_overrides)
    world.app.adopt_decision(
        secretariat(at), decision_id, outcome="Adopted as proposed", effective_on=EFFECTIVE
    )
    return decision_id


def decision_of_another_partnership(app: Coordination) -> UUID:
    """An adopted decision of a second partnership with a single member organisation."""
    ctx = secretariat(NOW - timedelta(days=30))
    partnership_id = app.establish_partnership(
        ctx,
        name="Another partnership",
        programme="ESF",
        region="Gotland",
        period_start=date(2026, 1, 1),
        period_end=date(2027, 12, 31),
    ).stream_id
    member_id = app.admit_member(ctx, partnership_id, name="Gotland coop", kind="cooperative")
    assert member_id.created_id is not None
    org = Org(member_id.created_id, uuid4())
    app.appoint_representative(
        ctx, partnership_id, member_id=org.id, person_id=org.rep, starts_on=ctx.today
    )
    decision_id = app.table_proposal(
        org.ctx(),
        partnership_id=partnership_id,
        forum_kind="partnership",
        forum_id=partnership_id,
        title="Local purchasing",
        text="Buy locally.",
        rationale="Jobs.",
    ).created_id
    assert decision_id is not None
    app.call_decision(
        secretariat(), decision_id, rule="consensus", quorum_percent=100, closes_at=CLOSES
    )
    app.take_position(person_ctx(org.rep, org.id, DURING), decision_id, position="agree")
    app.close_decision(secretariat(DURING), decision_id)
    app.adopt_decision(secretariat(DURING), decision_id, outcome="Done", effective_on=EFFECTIVE)
    return decision_id
