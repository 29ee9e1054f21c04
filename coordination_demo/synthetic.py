"""A large, realistic event log, made fast: for the projection benchmark and crash tests.

Real aggregates run real domain commands in memory (so every event is one the domain
would record), and their events are written straight through the library's recorder in
large batches, skipping the per-command loading and saving of the application. The mix
follows a partnership's working life: decisions with discussion and positions, actions
with progress, workshops with registrations and attendance, and some membership churn.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application

from coordination.domain.action import Action
from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.decision_rules import ForumKind
from coordination.domain.partnership import Partnership
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop

KINDS = ["municipality", "association", "cooperative", "social_enterprise", "company"]
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@dataclass
class SyntheticLog:
    """What was written: counts the tests check views against."""

    events: int = 0
    partnership_id: UUID | None = None
    organisations: list[UUID] = field(default_factory=list)
    groups: list[UUID] = field(default_factory=list)
    decisions: int = 0
    contributions: int = 0
    actions: int = 0
    workshops: int = 0
    registrations: int = 0
    attendances: int = 0


class _Writer:
    def __init__(self, app: Application[UUID], batch: int, progress: Callable[[int], None] | None):
        self.app, self.batch, self.progress = app, batch, progress
        self.pending: list[Any] = []
        self.written = 0

    def save(self, *aggregates: CoordinationAggregate) -> None:
        for aggregate in aggregates:
            self.pending += [self.app.mapper.to_stored_event(e) for e in aggregate.collect_events()]
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.app.recorder.insert_events(self.pending)
            self.written += len(self.pending)
            self.pending = []
            if self.progress is not None:
                self.progress(self.written)


def generate(
    app: Application[UUID],
    events: int,
    *,
    seed: int = 7,
    organisations: int = 60,
    groups: int = 8,
    batch: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> SyntheticLog:
    """Append about `events` events (a little more: the last cycle completes)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    out = SyntheticLog()
    writer = _Writer(app, batch, progress)
    clock = [START]

    def ctx(minutes: int = 1) -> Context:
        """The next command's context, `minutes` after the previous one."""
        clock[0] += timedelta(minutes=minutes)
        return Context(actor="synthetic", origin="synthetic.local/log", occurred_at=clock[0])

    partnership = Partnership.establish(
        ctx(),
        name="Synthetic partnership",
        programme="ESF",
        region="Test county",
        period_start=date(2025, 1, 1),
        period_end=date(2030, 12, 31),
    )
    out.partnership_id = partnership.id
    themes = [partnership.define_theme(ctx(), name=f"Theme {n}") for n in range(3)]
    for n in range(organisations):
        member = partnership.admit_member(ctx(), name=f"Organisation {n}", kind=KINDS[n % 5])
        partnership.appoint_representative(
            ctx(), member_id=member, person_id=uuid4(), starts_on=clock[0].date()
        )
        out.organisations.append(member)
    writer.save(partnership)
    convened: dict[UUID, WorkingGroup] = {}
    for n in range(groups):
        group = WorkingGroup.convene(
            ctx(),
            partnership_id=partnership.id,
            theme_id=themes[n % 3],
            name=f"Group {n}",
            purpose="Work together",
            decides="Its own work plan",
            default_rule="majority",
        )
        for member in rng.sample(out.organisations, 8):
            group.join(ctx(), member_id=member)
        writer.save(group)
        out.groups.append(group.id)
        convened[group.id] = group

    cycles = [(0.35, _decision), (0.35, _action), (0.2, _workshop), (0.1, _churn)]
    while writer.written + len(writer.pending) < events:
        roll, chosen = rng.random(), cycles[-1][1]
        for weight, cycle in cycles:
            if roll < weight:
                chosen = cycle
                break
            roll -= weight
        chosen(rng, ctx, writer, out, partnership, convened)
    writer.flush()
    out.events = writer.written
    return out


def _decision(
    rng: random.Random, ctx: Any, w: _Writer, out: SyntheticLog, p: Any, groups: Any
) -> None:
    group = rng.choice(list(groups))
    electorate = sorted(groups[group].members, key=str)
    decision = Decision.table(
        ctx(),
        partnership_id=p.id,
        forum_kind=ForumKind.WORKING_GROUP,
        forum_id=group,
        proposer_id=electorate[0],
        title=f"Proposal {out.decisions}",
        body="We propose to do this together.",
        rationale="It helps the members.",
        supersedes=None,
    )
    for member in electorate[:2]:
        decision.post_contribution(ctx(), member_id=member, body="A point in the discussion.")
        out.contributions += 1
    called = ctx()
    decision.call_vote(
        called,
        rule="majority",
        quorum_percent=50,
        threshold_percent=0,
        closes_at=called.occurred_at + timedelta(days=7),
        electorate=electorate,
    )
    for member in electorate:
        stance = rng.choice(["agree", "agree", "agree", "abstain", "disagree"])
        reason = "Not convinced" if stance == "disagree" else None
        decision.take_position(
            ctx(), member_id=member, position=stance, reason=reason, by_proxy=False
        )
    decision.close(ctx(), current_members=electorate)
    if decision.result is not None and decision.result.rule_met:
        decision.adopt(ctx(), outcome="Adopted", effective_on=called.today, review_on=None)
    else:
        decision.reject(ctx(), reason="The majority was not reached")
    out.decisions += 1
    w.save(decision)


def _action(
    rng: random.Random, ctx: Any, w: _Writer, out: SyntheticLog, p: Any, groups: Any
) -> None:
    group = rng.choice(list(groups))
    here = ctx()
    action = Action.assign(
        here,
        partnership_id=p.id,
        group_id=group,
        owner_id=rng.choice(sorted(groups[group].members, key=str)),
        description="Do the agreed thing",
        due_on=here.today + timedelta(days=rng.randint(1, 120)),
        source_kind="group",
        source_id=group,
    )
    action.report_progress(ctx(), percent=40, note="Started")
    ending = rng.random()
    if ending < 0.6:
        action.complete(ctx(), outcome="Done")
    elif ending < 0.7:
        action.drop(ctx(), reason="No longer needed")
    out.actions += 1
    w.save(action)


def _workshop(
    rng: random.Random, ctx: Any, w: _Writer, out: SyntheticLog, p: Any, groups: Any
) -> None:
    group = rng.choice(list(groups))
    here = ctx()
    starts = here.occurred_at + timedelta(minutes=30)
    workshop = Workshop.plan(
        here,
        partnership_id=p.id,
        organiser_group_ids=[group],
        organiser_partners=[],
        theme_id=next(iter(p.themes)),
        title=f"Workshop {out.workshops}",
        format="in_person",
        venue="Town hall",
        capacity=12,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        audience_description="members",
    )
    workshop.set_agenda(ctx(), items=["Welcome", "Work", "Next steps"])
    attendees = []
    for member in sorted(groups[group].members, key=str):
        person = uuid4()
        workshop.register(
            ctx(), person_id=person, organisation_id=member, role="social_economy_actor"
        )
        out.registrations += 1
        attendees.append((person, member))
    workshop.hold(ctx(minutes=45))
    present = attendees[: rng.randint(3, len(attendees))]
    workshop.record_attendance(ctx(), entries=present)
    out.attendances += len(present)
    workshop.draft_minutes(ctx(), text="We met and agreed next steps.")
    workshop.approve_minutes(ctx())
    out.workshops += 1
    w.save(workshop)


def _churn(
    rng: random.Random, ctx: Any, w: _Writer, out: SyntheticLog, p: Any, groups: Any
) -> None:
    """A new member joins the partnership and a working group; sometimes another leaves it."""
    group = groups[rng.choice(list(groups))]
    member = p.admit_member(
        ctx(), name=f"Organisation {len(out.organisations)}", kind=rng.choice(KINDS)
    )
    p.appoint_representative(ctx(), member_id=member, person_id=uuid4(), starts_on=ctx().today)
    out.organisations.append(member)
    group.join(ctx(), member_id=member)
    if len(group.members) > 10:
        group.leave(ctx(), member_id=sorted(group.members, key=str)[0])
    w.save(p, group)
