"""Per-organisation participation: groups joined, positions taken, workshop registrations
and attendance, and actions owned.

One row per organisation, and one detail row per thing it took part in; the counts are
computed at query time from the detail rows (indexed by organisation), so a cancelled
registration or a completed action needs no read to adjust a counter.
"""

from __future__ import annotations

from coordination.domain.action import Action
from coordination.domain.decision import Decision
from coordination.domain.partnership import Partnership
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop
from coordination.projections.changes import Writer
from coordination.projections.tables import (
    DAY,
    FLAG,
    ID,
    INT,
    POSITION,
    TEXT,
    Table,
    day,
    uid,
)
from coordination.projections.view import View

ORGANISATIONS = Table(
    "participation_orgs",
    {
        "org_id": ID,
        "partnership_id": ID,
        "seq": POSITION,
        "name": TEXT,
        "kind": TEXT,
        "admitted_on": DAY,
        "withdrawn_on": DAY,
    },
    key=("org_id",),
    indexes=(("name", "org_id"),),
)
GROUPS = Table(
    "participation_groups",
    {"org_id": ID, "group_id": ID, "active": FLAG, "seq": POSITION},
    key=("org_id", "group_id"),
)
POSITIONS = Table(
    "participation_positions",
    {"org_id": ID, "decision_id": ID, "position": TEXT, "revision": INT, "seq": POSITION},
    key=("org_id", "decision_id"),
)
REGISTRATIONS = Table(
    "participation_registrations",
    {"registration_id": ID, "org_id": ID, "workshop_id": ID, "active": FLAG, "seq": POSITION},
    key=("registration_id",),
    indexes=(("org_id",),),
)
ATTENDANCE = Table(
    "participation_attendance",
    {"workshop_id": ID, "person_id": ID, "org_id": ID, "seq": POSITION},
    key=("workshop_id", "person_id"),
    indexes=(("org_id",),),
)
ACTIONS = Table(
    "participation_actions",
    {"action_id": ID, "org_id": ID, "status": TEXT, "due_on": DAY, "seq": POSITION},
    key=("action_id",),
    indexes=(("org_id",),),
)


def _admitted(e: Partnership.MemberAdmitted, w: Writer) -> None:
    w.upsert(
        "participation_orgs",
        {"org_id": uid(e.member_id)},
        partnership_id=uid(e.originator_id),
        seq=w.position,
        name=e.name,
        kind=e.kind,
        admitted_on=day(e.admitted_on),
    )


def _withdrew(e: Partnership.MemberWithdrew, w: Writer) -> None:
    w.update("participation_orgs", {"org_id": uid(e.member_id)}, withdrawn_on=day(e.withdrawn_on))


def _joined(e: WorkingGroup.MemberJoinedGroup, w: Writer) -> None:
    w.upsert(
        "participation_groups",
        {"org_id": uid(e.member_id), "group_id": uid(e.originator_id)},
        active=1,
        seq=w.position,
    )


def _left(e: WorkingGroup.MemberLeftGroup, w: Writer) -> None:
    w.update(
        "participation_groups",
        {"org_id": uid(e.member_id), "group_id": uid(e.originator_id)},
        active=0,
    )


def _position(e: Decision.PositionTaken | Decision.PositionRevised, w: Writer) -> None:
    w.upsert(
        "participation_positions",
        {"org_id": uid(e.member_id), "decision_id": uid(e.originator_id)},
        position=e.position,
        revision=e.revision,
        seq=w.position,
    )


def _registered(e: Workshop.ParticipantRegistered, w: Writer) -> None:
    w.upsert(
        "participation_registrations",
        {"registration_id": uid(e.registration_id)},
        org_id=uid(e.organisation_id),
        workshop_id=uid(e.originator_id),
        active=1,
        seq=w.position,
    )


def _registration_cancelled(e: Workshop.RegistrationCancelled, w: Writer) -> None:
    w.update("participation_registrations", {"registration_id": uid(e.registration_id)}, active=0)


def _attendance(e: Workshop.AttendanceRecorded, w: Writer) -> None:
    for entry in e.attendees:
        w.upsert(
            "participation_attendance",
            {"workshop_id": uid(e.originator_id), "person_id": uid(entry["person_id"])},
            org_id=uid(entry["organisation_id"]),
            seq=w.position,
        )


def _assigned(e: Action.Assigned, w: Writer) -> None:
    w.upsert(
        "participation_actions",
        {"action_id": uid(e.originator_id)},
        org_id=uid(e.owner_id),
        status="open",
        due_on=day(e.due_on),
        seq=w.position,
    )


def _action_closed(e: Action.Completed | Action.Dropped, w: Writer) -> None:
    status = "completed" if isinstance(e, Action.Completed) else "dropped"
    w.update("participation_actions", {"action_id": uid(e.originator_id)}, status=status)


VIEW = View(
    name="participation",
    tables=(ORGANISATIONS, GROUPS, POSITIONS, REGISTRATIONS, ATTENDANCE, ACTIONS),
    handlers={
        Partnership.MemberAdmitted.TOPIC: _admitted,
        Partnership.MemberWithdrew.TOPIC: _withdrew,
        WorkingGroup.MemberJoinedGroup.TOPIC: _joined,
        WorkingGroup.MemberLeftGroup.TOPIC: _left,
        Decision.PositionTaken.TOPIC: _position,
        Decision.PositionRevised.TOPIC: _position,
        Workshop.ParticipantRegistered.TOPIC: _registered,
        Workshop.RegistrationCancelled.TOPIC: _registration_cancelled,
        Workshop.AttendanceRecorded.TOPIC: _attendance,
        Action.Assigned.TOPIC: _assigned,
        Action.Completed.TOPIC: _action_closed,
        Action.Dropped.TOPIC: _action_closed,
    },
)
