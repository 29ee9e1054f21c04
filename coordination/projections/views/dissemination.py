"""The dissemination record (B9): each activity and what came of it, by organisation.

An activity's uptake and policy influence are rows of their own, naming the member
organisation they concern, so the record of one member organisation lists both the
activities it was responsible for and the practices and policies it changed.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.dissemination import Dissemination, DisseminationStatus
from coordination.projections.changes import Writer
from coordination.projections.tables import DAY, ID, INT, POSITION, TEXT, Table, day, uid
from coordination.projections.view import View


class OutcomeKind(StrEnum):
    """What an activity led to, in a member organisation."""

    UPTAKE = "uptake"
    POLICY_INFLUENCE = "policy_influence"


ACTIVITIES = Table(
    "disseminations",
    {
        "dissemination_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "responsible_id": ID,
        "title": TEXT,
        "channel": TEXT,
        "audience_description": TEXT,
        "planned_on": DAY,
        "status": TEXT,
        "held_on": DAY,
        "reach": INT,
        "evidence_hash": TEXT,
    },
    key=("dissemination_id",),
    indexes=(("responsible_id", "planned_on"), ("partnership_id", "planned_on")),
)
OUTCOMES = Table(
    "dissemination_outcomes",
    {
        "outcome_id": ID,
        "seq": POSITION,
        "dissemination_id": ID,
        "organisation_id": ID,
        "kind": TEXT,
        "description": TEXT,
        "on_day": DAY,
        "evidence_hash": TEXT,
    },
    key=("outcome_id",),
    indexes=(("organisation_id", "on_day"), ("dissemination_id", "on_day")),
)


def _planned(e: Dissemination.Planned, w: Writer) -> None:
    w.upsert(
        "disseminations",
        {"dissemination_id": uid(e.originator_id)},
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        responsible_id=uid(e.responsible_id),
        title=e.title,
        channel=e.channel,
        audience_description=e.audience_description,
        planned_on=day(e.planned_on),
        status=DisseminationStatus.PLANNED.value,
    )


def _held(e: Dissemination.Recorded, w: Writer) -> None:
    w.update(
        "disseminations",
        {"dissemination_id": uid(e.originator_id)},
        status=DisseminationStatus.HELD.value,
        held_on=day(e.held_on),
        reach=e.reach,
        evidence_hash=e.evidence_hash,
    )


def _uptake(e: Dissemination.UptakeRecorded, w: Writer) -> None:
    w.upsert(
        "dissemination_outcomes",
        {"outcome_id": uid(e.outcome_id)},
        seq=w.position,
        dissemination_id=uid(e.originator_id),
        organisation_id=uid(e.organisation_id),
        kind=OutcomeKind.UPTAKE.value,
        description=e.practice,
        on_day=day(e.adopted_on),
    )


def _influence(e: Dissemination.PolicyInfluenceRecorded, w: Writer) -> None:
    w.upsert(
        "dissemination_outcomes",
        {"outcome_id": uid(e.outcome_id)},
        seq=w.position,
        dissemination_id=uid(e.originator_id),
        organisation_id=uid(e.organisation_id),
        kind=OutcomeKind.POLICY_INFLUENCE.value,
        description=e.change,
        on_day=day(e.decided_on),
        evidence_hash=e.evidence_hash,
    )


VIEW = View(
    name="dissemination",
    tables=(ACTIVITIES, OUTCOMES),
    handlers={
        Dissemination.Planned.TOPIC: _planned,
        Dissemination.Recorded.TOPIC: _held,
        Dissemination.UptakeRecorded.TOPIC: _uptake,
        Dissemination.PolicyInfluenceRecorded.TOPIC: _influence,
    },
)
