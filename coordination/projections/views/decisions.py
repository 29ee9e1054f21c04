"""The decisions view (B3): every decision with its status, forum, positions, proxies and
tally.

Status follows the domain, with one refinement: a deferred decision reads ``deferred``
until it is called again. "In force" is ``status = adopted`` (a decision superseded only
in part stays in force). Flagged positions (taken on an earlier revision) and the live
tally of a called decision are computed at query time from the positions table. The
forums' themes are kept here too, so decisions filter by theme without another view, and
so are the organisations that withdrew from a partnership: an open decision's live tally
leaves them out as closing will (`decision_rules.standing_tally`), and a closed one marks
those its closing left out (`withdrawn` in its electorate).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from coordination.domain.decision import Decision
from coordination.domain.partnership import Partnership
from coordination.domain.working_group import WorkingGroup
from coordination.projections.changes import Writer
from coordination.projections.tables import (
    COUNTER,
    DAY,
    FLAG,
    ID,
    INT,
    MOMENT,
    POSITION,
    TEXT,
    Table,
    day,
    flag,
    moment,
    occurred,
    uid,
)
from coordination.projections.view import View


class DecisionStatus(StrEnum):
    """Where a decision stands in this view: the domain's statuses
    (`decision_rules.DecisionStatus`) and ``deferred``, a tabled decision put off."""

    TABLED = "tabled"
    CALLED = "called"
    CLOSED = "closed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DEFERRED = "deferred"
    SUPERSEDED = "superseded"


DECISIONS = Table(
    "decisions",
    {
        "decision_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "forum_kind": TEXT,
        "forum_id": ID,
        "proposer_id": ID,
        "title": TEXT,
        "text": TEXT,
        "rationale": TEXT,
        "revision": INT,
        "status": TEXT,
        "rule": TEXT,
        "quorum_percent": INT,
        "threshold_percent": INT,
        "called_at": MOMENT,
        "closes_at": MOMENT,
        "agree": INT,
        "abstain": INT,
        "disagree": INT,
        "block": INT,
        "counted": INT,
        "quorum_met": INT,
        "rule_met": INT,
        "outcome": TEXT,
        "effective_on": DAY,
        "review_on": DAY,
        "adopted_at": MOMENT,
        "end_reason": TEXT,
        "deferred_until": DAY,
        "deferral_reason": TEXT,
        "supersedes": ID,
        "superseded_by": ID,
        "workshop_id": ID,
        "minutes_hash": TEXT,
        "contributions": COUNTER,
        "tabled_at": MOMENT,
    },
    key=("decision_id",),
    indexes=(("seq", "decision_id"), ("forum_id", "seq"), ("status", "seq")),
)
POSITIONS = Table(
    "decision_positions",
    {
        "decision_id": ID,
        "org_id": ID,
        "position": TEXT,
        "reason": TEXT,
        "revision": INT,
        "by_proxy": FLAG,
        "seq": POSITION,
    },
    key=("decision_id", "org_id"),
    indexes=(("org_id",),),
)
PROXIES = Table(
    "decision_proxies",
    {"decision_id": ID, "org_id": ID, "proxy_person_id": ID, "proxy_org_id": ID, "seq": POSITION},
    key=("decision_id", "org_id"),
)
ELECTORATE = Table(
    "decision_electorate",
    {"decision_id": ID, "org_id": ID, "withdrawn": FLAG},
    key=("decision_id", "org_id"),
)
#: Organisations withdrawn from their partnership (an id is never admitted again).
WITHDRAWALS = Table(
    "decision_withdrawn_members",
    {"org_id": ID, "withdrawn_on": DAY},
    key=("org_id",),
)
SUPERSESSIONS = Table(
    "decision_supersessions",
    {"decision_id": ID, "by_decision_id": ID, "scope": TEXT, "note": TEXT, "seq": POSITION},
    key=("decision_id", "by_decision_id"),
)
FORUM_THEMES = Table(
    "decision_forums",
    {"forum_id": ID, "theme_id": ID},
    key=("forum_id",),
)


def _key(e: Any) -> dict[str, str | None]:
    return {"decision_id": uid(e.originator_id)}


def _tabled(e: Decision.ProposalTabled, w: Writer) -> None:
    w.upsert(
        "decisions",
        _key(e),
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        forum_kind=e.forum_kind,
        forum_id=uid(e.forum_id),
        proposer_id=uid(e.proposer_id),
        title=e.title,
        text=e.text,
        rationale=e.rationale,
        revision=1,
        status="tabled",
        supersedes=uid(e.supersedes),
        tabled_at=occurred(e),
    )


def _from_minutes(e: Decision.DecisionRecordedFromMinutes, w: Writer) -> None:
    w.upsert(
        "decisions",
        _key(e),
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        forum_kind=e.forum_kind,
        forum_id=uid(e.forum_id),
        title=e.title,
        text=e.text,
        rationale="",
        revision=1,
        status="adopted",
        outcome=e.outcome,
        effective_on=day(e.effective_on),
        adopted_at=occurred(e),
        workshop_id=uid(e.workshop_id),
        minutes_hash=e.minutes_hash,
        tabled_at=occurred(e),
    )


def _contribution(e: Decision.ContributionPosted, w: Writer) -> None:
    w.update("decisions", _key(e), increments={"contributions": 1})


def _revised(e: Decision.ProposalRevised, w: Writer) -> None:
    w.update(
        "decisions", _key(e), revision=e.revision, title=e.title, text=e.text, rationale=e.rationale
    )


def _called(e: Decision.DecisionCalled, w: Writer) -> None:
    w.update(
        "decisions",
        _key(e),
        status="called",
        rule=e.rule,
        quorum_percent=e.quorum_percent,
        threshold_percent=e.threshold_percent,
        called_at=occurred(e),
        closes_at=moment(e.closes_at),
    )
    # A decision is called again only after a deferral, which cleared its electorate.
    decision = uid(e.originator_id)
    for org in e.electorate:
        w.upsert("decision_electorate", {"decision_id": decision, "org_id": uid(org)})


def _position(e: Decision.PositionTaken | Decision.PositionRevised, w: Writer) -> None:
    w.upsert(
        "decision_positions",
        {"decision_id": uid(e.originator_id), "org_id": uid(e.member_id)},
        position=e.position,
        reason=e.reason,
        revision=e.revision,
        by_proxy=flag(e.by_proxy),
        seq=w.position,
    )


def _proxy(e: Decision.ProxyGranted, w: Writer) -> None:
    # A new grant replaces the member's earlier one, as in the domain.
    w.upsert(
        "decision_proxies",
        {"decision_id": uid(e.originator_id), "org_id": uid(e.member_id)},
        proxy_person_id=uid(e.proxy_person_id),
        proxy_org_id=uid(e.proxy_member_id),
        seq=w.position,
    )


def _closed(e: Decision.DecisionClosed, w: Writer) -> None:
    w.update(
        "decisions",
        _key(e),
        status="closed",
        agree=e.agree,
        abstain=e.abstain,
        disagree=e.disagree,
        block=e.block,
        counted=len(e.counted),
        quorum_met=flag(e.quorum_met),
        rule_met=flag(e.rule_met),
    )
    decision = uid(e.originator_id)
    for org in e.withdrawn:  # sealed: a later withdrawal changes nothing here
        w.update("decision_electorate", {"decision_id": decision, "org_id": uid(org)}, withdrawn=1)


def _adopted(e: Decision.DecisionAdopted, w: Writer) -> None:
    w.update(
        "decisions",
        _key(e),
        status="adopted",
        outcome=e.outcome,
        effective_on=day(e.effective_on),
        review_on=day(e.review_on),
        adopted_at=occurred(e),
    )


def _rejected(e: Decision.DecisionRejected, w: Writer) -> None:
    w.update("decisions", _key(e), status="rejected", end_reason=e.reason)


def _withdrawn(e: Decision.ProposalWithdrawn, w: Writer) -> None:
    w.update("decisions", _key(e), status="withdrawn", end_reason=e.reason)


def _deferred(e: Decision.DecisionDeferred, w: Writer) -> None:
    # The call lapses: its terms, electorate, positions and proxies go with it.
    w.update(
        "decisions",
        _key(e),
        status="deferred",
        deferred_until=day(e.until),
        deferral_reason=e.reason,
        rule=None,
        quorum_percent=None,
        threshold_percent=None,
        called_at=None,
        closes_at=None,
    )
    w.delete("decision_positions", _key(e))
    w.delete("decision_electorate", _key(e))
    w.delete("decision_proxies", _key(e))


def _superseded(e: Decision.DecisionSuperseded, w: Writer) -> None:
    w.upsert(
        "decision_supersessions",
        {"decision_id": uid(e.originator_id), "by_decision_id": uid(e.by_decision_id)},
        scope=e.scope,
        note=e.note,
        seq=w.position,
    )
    if e.scope == "full":
        w.update("decisions", _key(e), status="superseded", superseded_by=uid(e.by_decision_id))


def _group_convened(e: WorkingGroup.Convened, w: Writer) -> None:
    w.upsert("decision_forums", {"forum_id": uid(e.originator_id)}, theme_id=uid(e.theme_id))


def _partnership(e: Partnership.Established, w: Writer) -> None:
    w.upsert("decision_forums", {"forum_id": uid(e.originator_id)}, theme_id=None)


def _member_withdrew(e: Partnership.MemberWithdrew, w: Writer) -> None:
    w.upsert(
        "decision_withdrawn_members", {"org_id": uid(e.member_id)}, withdrawn_on=day(e.withdrawn_on)
    )


VIEW = View(
    name="decisions",
    tables=(DECISIONS, POSITIONS, PROXIES, ELECTORATE, SUPERSESSIONS, FORUM_THEMES, WITHDRAWALS),
    handlers={
        Decision.ProposalTabled.TOPIC: _tabled,
        Decision.DecisionRecordedFromMinutes.TOPIC: _from_minutes,
        Decision.ContributionPosted.TOPIC: _contribution,
        Decision.ProposalRevised.TOPIC: _revised,
        Decision.DecisionCalled.TOPIC: _called,
        Decision.ProxyGranted.TOPIC: _proxy,
        Decision.PositionTaken.TOPIC: _position,
        Decision.PositionRevised.TOPIC: _position,
        Decision.DecisionClosed.TOPIC: _closed,
        Decision.DecisionAdopted.TOPIC: _adopted,
        Decision.DecisionRejected.TOPIC: _rejected,
        Decision.ProposalWithdrawn.TOPIC: _withdrawn,
        Decision.DecisionDeferred.TOPIC: _deferred,
        Decision.DecisionSuperseded.TOPIC: _superseded,
        WorkingGroup.Convened.TOPIC: _group_convened,
        Partnership.Established.TOPIC: _partnership,
        Partnership.MemberWithdrew.TOPIC: _member_withdrew,
    },
)
