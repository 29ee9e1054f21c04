"""The workshop calendar (B4): workshops with their registrations, attendance and follow-ups.

Counts of active registrations and of attendees are kept on the workshop row; the
breakdown by organisation kind is computed at query time from the organisations this
view records from the partnership's admissions.
"""

from __future__ import annotations

import json
from typing import Any

from coordination.domain.partnership import Partnership
from coordination.domain.workshop import Workshop
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
    moment,
    occurred,
    uid,
)
from coordination.projections.view import View

WORKSHOPS = Table(
    "workshops",
    {
        "workshop_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "theme_id": ID,
        "title": TEXT,
        "format": TEXT,
        "venue": TEXT,
        "capacity": INT,
        "starts_at": MOMENT,
        "ends_at": MOMENT,
        "status": TEXT,
        "cancel_reason": TEXT,
        "held_at": MOMENT,
        "audience_description": TEXT,
        "organiser_group_ids": TEXT,
        "organiser_partners": TEXT,
        "agenda": TEXT,
        "minutes_status": TEXT,
        "minutes_hash": TEXT,
        "registered": COUNTER,
        "attended": COUNTER,
    },
    key=("workshop_id",),
    indexes=(("starts_at", "workshop_id"), ("theme_id",)),
)
ORGANISERS = Table(
    "workshop_organisers",
    {"workshop_id": ID, "group_id": ID},
    key=("workshop_id", "group_id"),
    indexes=(("group_id",),),
)
REGISTRATIONS = Table(
    "workshop_registrations",
    {
        "registration_id": ID,
        "workshop_id": ID,
        "seq": POSITION,
        "person_id": ID,
        "org_id": ID,
        "role": TEXT,
        "active": FLAG,
    },
    key=("registration_id",),
    indexes=(("workshop_id", "seq"), ("org_id",)),
)
ATTENDANCE = Table(
    "workshop_attendance",
    {"workshop_id": ID, "person_id": ID, "org_id": ID, "seq": POSITION},
    key=("workshop_id", "person_id"),
    indexes=(("org_id",),),
)
FOLLOW_UPS = Table(
    "workshop_follow_ups",
    {
        "workshop_id": ID,
        "action_id": ID,
        "seq": POSITION,
        "description": TEXT,
        "owner_id": ID,
        "group_id": ID,
        "due_on": DAY,
    },
    key=("workshop_id", "action_id"),
)
ORGANISATION_KINDS = Table(
    "workshop_orgs",
    {"org_id": ID, "kind": TEXT},
    key=("org_id",),
)


def _key(e: Any) -> dict[str, str | None]:
    return {"workshop_id": uid(e.originator_id)}


def _planned(e: Workshop.Planned, w: Writer) -> None:
    w.upsert(
        "workshops",
        _key(e),
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        theme_id=uid(e.theme_id),
        title=e.title,
        format=e.format,
        venue=e.venue,
        capacity=e.capacity,
        starts_at=moment(e.starts_at),
        ends_at=moment(e.ends_at),
        status="planned",
        audience_description=e.audience_description,
        organiser_group_ids=json.dumps([str(g) for g in e.organiser_group_ids]),
        organiser_partners=json.dumps(list(e.organiser_partners)),
        agenda="[]",
        minutes_status="none",
    )
    for group in e.organiser_group_ids:
        w.upsert(
            "workshop_organisers", {"workshop_id": uid(e.originator_id), "group_id": uid(group)}
        )


def _agenda(e: Workshop.AgendaSet, w: Writer) -> None:
    w.update("workshops", _key(e), agenda=json.dumps(list(e.items)))


def _registered(e: Workshop.ParticipantRegistered, w: Writer) -> None:
    w.upsert(
        "workshop_registrations",
        {"registration_id": uid(e.registration_id)},
        workshop_id=uid(e.originator_id),
        seq=w.position,
        person_id=uid(e.person_id),
        org_id=uid(e.organisation_id),
        role=e.role,
        active=1,
    )
    w.update("workshops", _key(e), increments={"registered": 1})


def _registration_cancelled(e: Workshop.RegistrationCancelled, w: Writer) -> None:
    w.update("workshop_registrations", {"registration_id": uid(e.registration_id)}, active=0)
    w.update("workshops", _key(e), increments={"registered": -1})


def _postponed(e: Workshop.Postponed, w: Writer) -> None:
    w.update(
        "workshops",
        _key(e),
        status="postponed",
        starts_at=moment(e.starts_at),
        ends_at=moment(e.ends_at),
    )


def _cancelled(e: Workshop.Cancelled, w: Writer) -> None:
    w.update("workshops", _key(e), status="cancelled", cancel_reason=e.reason)


def _held(e: Workshop.Held, w: Writer) -> None:
    w.update("workshops", _key(e), status="held", held_at=occurred(e))


def _attendance(e: Workshop.AttendanceRecorded, w: Writer) -> None:
    for entry in e.attendees:
        w.upsert(
            "workshop_attendance",
            {"workshop_id": uid(e.originator_id), "person_id": uid(entry["person_id"])},
            org_id=uid(entry["organisation_id"]),
            seq=w.position,
        )
    w.update("workshops", _key(e), increments={"attended": len(e.attendees)})


def _minutes(e: Workshop.MinutesDrafted, w: Writer) -> None:
    w.update("workshops", _key(e), minutes_status="drafted")


def _minutes_approved(e: Workshop.MinutesApproved, w: Writer) -> None:
    w.update("workshops", _key(e), minutes_status="approved", minutes_hash=e.minutes_hash)


def _follow_up(e: Workshop.FollowUpRaised, w: Writer) -> None:
    w.upsert(
        "workshop_follow_ups",
        {"workshop_id": uid(e.originator_id), "action_id": uid(e.action_id)},
        seq=w.position,
        description=e.description,
        owner_id=uid(e.owner_id),
        group_id=uid(e.group_id),
        due_on=day(e.due_on),
    )


def _admitted(e: Partnership.MemberAdmitted, w: Writer) -> None:
    w.upsert("workshop_orgs", {"org_id": uid(e.member_id)}, kind=e.kind)


VIEW = View(
    name="workshops",
    tables=(WORKSHOPS, ORGANISERS, REGISTRATIONS, ATTENDANCE, FOLLOW_UPS, ORGANISATION_KINDS),
    handlers={
        Workshop.Planned.TOPIC: _planned,
        Workshop.AgendaSet.TOPIC: _agenda,
        Workshop.ParticipantRegistered.TOPIC: _registered,
        Workshop.RegistrationCancelled.TOPIC: _registration_cancelled,
        Workshop.Postponed.TOPIC: _postponed,
        Workshop.Cancelled.TOPIC: _cancelled,
        Workshop.Held.TOPIC: _held,
        Workshop.AttendanceRecorded.TOPIC: _attendance,
        Workshop.MinutesDrafted.TOPIC: _minutes,
        Workshop.MinutesApproved.TOPIC: _minutes_approved,
        Workshop.FollowUpRaised.TOPIC: _follow_up,
        Partnership.MemberAdmitted.TOPIC: _admitted,
    },
)
