"""B4. The workshop (or meeting): planned, held once, minuted, and followed up.

A workshop brings municipal representatives and social-economy actors together on a
theme. Its places are limited, so registrations are counted against its capacity; it is
planned (and postponed) to start later than now, unless the plan says it records a
workshop that already took place; it is held only once it has started (its start time:
an instant, so no time zone is guessed at); its attendance, per person and per
organisation, is the programme's audit evidence; and its minutes, once approved, are
sealed by their SHA-256 hash so anyone can later show that the text they hold is the
text that was approved.

Persons appear only as pseudonymous ids. Cross-stream rules (the partnership, its theme
and members, the organising working groups, the action a follow-up becomes) are checked
by the application before these commands run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID, uuid4

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.values import (
    TEXT_MAX,
    TITLE_MAX,
    Audience,
    ParticipantRole,
    choice,
    name,
    optional_name,
    sha256_hex,
)
from coordination.domain.values import text as checked_text
from coordination.domain.workshop_parts import (
    InviteeKind,
    MinutesStatus,
    Registration,
    WorkshopFormat,
    WorkshopStatus,
    checked_agenda,
    checked_attendees,
    checked_capacity,
    checked_organisers,
    checked_schedule,
    checked_start,
)


class Workshop(CoordinationAggregate):
    """A workshop or meeting of the partnership."""

    TOPIC = "coordination.workshop"
    KIND = "workshop"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Planned(CoordinationAggregate.Created):
        """WorkshopPlanned: who organises it, on which theme, where, when and for whom."""

        TOPIC = "coordination.workshop.planned"
        partnership_id: UUID
        organiser_group_ids: list[UUID]
        organiser_partners: list[str]
        theme_id: UUID
        title: str
        format: str
        venue: str | None
        capacity: int
        starts_at: datetime
        ends_at: datetime
        audience_description: str

        def apply(self, w: Workshop) -> None:
            w.partnership_id, w.theme_id, w.title = self.partnership_id, self.theme_id, self.title
            w.organiser_group_ids = list(self.organiser_group_ids)
            w.organiser_partners = list(self.organiser_partners)
            w.format, w.venue, w.capacity = self.format, self.venue, self.capacity
            w.starts_at, w.ends_at = self.starts_at, self.ends_at
            w.audience_description = self.audience_description

    class AgendaSet(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.agenda_set"
        items: list[str]

        def apply(self, w: Workshop) -> None:
            w.agenda = list(self.items)

    class InvitationSent(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.invitation_sent"
        invitee_kind: str
        invitee_id: UUID

        def apply(self, w: Workshop) -> None:
            w.invitations.append((self.invitee_kind, self.invitee_id))

    class ParticipantRegistered(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.participant_registered"
        registration_id: UUID
        person_id: UUID
        organisation_id: UUID
        role: str

        def apply(self, w: Workshop) -> None:
            w.registrations[self.registration_id] = Registration(
                self.person_id, self.organisation_id, self.role
            )

    class RegistrationCancelled(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.registration_cancelled"
        registration_id: UUID

        def apply(self, w: Workshop) -> None:
            registration = w.registrations[self.registration_id]
            w.registrations[self.registration_id] = replace(registration, active=False)

    class Postponed(CoordinationAggregate.Event):
        """WorkshopPostponed: to a later start; registrations and invitations stand."""

        TOPIC = "coordination.workshop.postponed"
        starts_at: datetime
        ends_at: datetime
        reason: str

        def apply(self, w: Workshop) -> None:
            w.starts_at, w.ends_at = self.starts_at, self.ends_at
            w.status = WorkshopStatus.POSTPONED.value

    class Cancelled(CoordinationAggregate.Event):
        """WorkshopCancelled."""

        TOPIC = "coordination.workshop.cancelled"
        reason: str

        def apply(self, w: Workshop) -> None:
            w.status, w.cancel_reason = WorkshopStatus.CANCELLED.value, self.reason

    class Held(CoordinationAggregate.Event):
        """WorkshopHeld: the workshop took place (business time says when it was confirmed)."""

        TOPIC = "coordination.workshop.held"

        def apply(self, w: Workshop) -> None:
            w.status, w.held_at = WorkshopStatus.HELD.value, self.occurred_at

    class AttendanceRecorded(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.attendance_recorded"
        attendees: list[dict[str, UUID]]

        def apply(self, w: Workshop) -> None:
            for entry in self.attendees:
                w.attendance[entry["person_id"]] = entry["organisation_id"]

    class MinutesDrafted(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.minutes_drafted"
        text: str

        def apply(self, w: Workshop) -> None:
            w.minutes_text, w.minutes_status = self.text, MinutesStatus.DRAFTED.value

    class MinutesAmended(CoordinationAggregate.Event):
        TOPIC = "coordination.workshop.minutes_amended"
        text: str
        note: str

        def apply(self, w: Workshop) -> None:
            w.minutes_text = self.text

    class MinutesApproved(CoordinationAggregate.Event):
        """The minutes are sealed: `minutes_hash` is the SHA-256 of the approved text."""

        TOPIC = "coordination.workshop.minutes_approved"
        minutes_hash: str

        def apply(self, w: Workshop) -> None:
            w.minutes_status, w.minutes_hash = MinutesStatus.APPROVED.value, self.minutes_hash

    class FollowUpRaised(CoordinationAggregate.Event):
        """A follow-up agreed at the workshop; it is the action `action_id` (saved with it)."""

        TOPIC = "coordination.workshop.follow_up_raised"
        action_id: UUID
        description: str
        owner_id: UUID
        group_id: UUID | None
        due_on: date

        def apply(self, w: Workshop) -> None:
            w.follow_up_action_ids.append(self.action_id)

    def __init__(self) -> None:
        self.partnership_id = self.theme_id = UUID(int=0)
        self.organiser_group_ids: list[UUID] = []
        self.organiser_partners: list[str] = []
        self.title = self.audience_description = ""
        self.format = WorkshopFormat.IN_PERSON.value
        self.venue: str | None = None
        self.capacity = 0
        self.starts_at = self.ends_at = datetime.min
        self.status = WorkshopStatus.PLANNED.value
        self.cancel_reason: str | None = None
        self.held_at: datetime | None = None
        self.agenda: list[str] = []
        self.invitations: list[tuple[str, UUID]] = []
        self.registrations: dict[UUID, Registration] = {}
        self.attendance: dict[UUID, UUID] = {}  # person id -> organisation id
        self.minutes_status = MinutesStatus.NONE.value
        self.minutes_text: str | None = None
        self.minutes_hash: str | None = None
        self.follow_up_action_ids: list[UUID] = []

    # -- commands ---------------------------------------------------------------

    @classmethod
    def plan(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        organiser_group_ids: Sequence[UUID],
        organiser_partners: Sequence[str],
        theme_id: UUID,
        title: str,
        format: str,
        venue: str | None,
        capacity: int,
        starts_at: datetime,
        ends_at: datetime,
        audience_description: str,
        records_past: bool = False,
    ) -> Workshop:
        """Plan a workshop; the application checked the partnership, theme and groups.

        A plan's start is still to come, unless `records_past` says the plan records a
        workshop that already took place: its start must then have passed (and it is held
        as any other). Saying so is what keeps a workshop from being planned and held
        after the fact by mistake.
        """
        groups, partners = checked_organisers(organiser_group_ids, organiser_partners)
        kind = choice(format, WorkshopFormat, "format")
        place = optional_name(venue, "venue", max_length=TITLE_MAX)
        if place is None and kind is not WorkshopFormat.ONLINE:
            raise InvalidInput(f"is required for an {kind.value} workshop", field="venue")
        start, end = checked_schedule(starts_at, ends_at)
        checked_start(start, ctx.occurred_at, records_past=records_past)
        return cls.start(
            cls.Planned,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            organiser_group_ids=groups,
            organiser_partners=partners,
            theme_id=theme_id,
            title=name(title, "title", max_length=TITLE_MAX),
            format=kind.value,
            venue=place,
            capacity=checked_capacity(capacity),
            starts_at=start,
            ends_at=end,
            audience_description=name(
                audience_description, "audience_description", max_length=TITLE_MAX
            ),
        )

    def set_agenda(self, ctx: Context, *, items: Sequence[str]) -> None:
        """Replace the agenda of a workshop still to come."""
        self.ensure_upcoming("set its agenda")
        self.record(self.AgendaSet, ctx, items=checked_agenda(items))

    def invite(self, ctx: Context, *, invitee_kind: str, invitee_id: UUID) -> None:
        """Invite an organisation (checked by the application) or a person, once each."""
        self.ensure_upcoming("send invitations")
        kind = choice(invitee_kind, InviteeKind, "invitee_kind").value
        if (kind, invitee_id) in self.invitations:
            raise RuleViolation(f"{kind} {invitee_id} is already invited to '{self.title}'")
        self.record(self.InvitationSent, ctx, invitee_kind=kind, invitee_id=invitee_id)

    def register(self, ctx: Context, *, person_id: UUID, organisation_id: UUID, role: str) -> UUID:
        """Register a person for an organisation, while places remain; returns its id."""
        self.ensure_upcoming("register for it")
        checked_role = choice(role, ParticipantRole, "role").value
        active = self.active_registrations()
        if any(r.person_id == person_id for r in active):
            raise RuleViolation(f"person {person_id} is already registered for '{self.title}'")
        if len(active) >= self.capacity:
            raise RuleViolation(f"'{self.title}' is full: all {self.capacity} places are taken")
        registration_id = uuid4()
        self.record(
            self.ParticipantRegistered,
            ctx,
            registration_id=registration_id,
            person_id=person_id,
            organisation_id=organisation_id,
            role=checked_role,
        )
        return registration_id

    def cancel_registration(self, ctx: Context, *, registration_id: UUID) -> None:
        """Free a place taken by an active registration."""
        self.ensure_upcoming("cancel a registration")
        registration = self.registrations.get(registration_id)
        if registration is None:
            raise NotFound(f"no registration with id {registration_id} for '{self.title}'")
        if not registration.active:
            raise RuleViolation(f"registration {registration_id} is already cancelled")
        self.record(self.RegistrationCancelled, ctx, registration_id=registration_id)

    def postpone(
        self, ctx: Context, *, starts_at: datetime, ends_at: datetime, reason: str
    ) -> None:
        """Move a workshop still to come to a later start."""
        self.ensure_upcoming("postpone it")
        start, end = checked_schedule(starts_at, ends_at)
        if start <= ctx.occurred_at:
            raise InvalidInput(
                f"must be still to come: {start.isoformat()} has passed", field="starts_at"
            )
        if start <= self.starts_at:
            raise InvalidInput(
                f"must be later than the workshop's current start"
                f" ({start.isoformat()} is not after {self.starts_at.isoformat()})",
                field="starts_at",
            )
        self.record(
            self.Postponed,
            ctx,
            starts_at=start,
            ends_at=end,
            reason=checked_text(reason, "reason", max_length=TEXT_MAX),
        )

    def cancel(self, ctx: Context, *, reason: str) -> None:
        """Call the workshop off; a held workshop cannot be cancelled."""
        self.ensure_upcoming("cancel it")
        self.record(self.Cancelled, ctx, reason=checked_text(reason, "reason", max_length=TEXT_MAX))

    def hold(self, ctx: Context) -> None:
        """Record that the workshop took place: once, and only on or after its start."""
        self.ensure_upcoming("hold it")
        if ctx.occurred_at < self.starts_at:
            raise RuleViolation(
                f"'{self.title}' starts at {self.starts_at.isoformat()}:"
                " it cannot be held before then"
            )
        self.record(self.Held, ctx)

    def record_attendance(self, ctx: Context, *, entries: Sequence[tuple[UUID, UUID]]) -> None:
        """Record who attended for which organisation; each person is recorded once."""
        self.ensure_held("record its attendance")
        parsed = checked_attendees(entries)
        for entry in parsed:
            if entry["person_id"] in self.attendance:
                raise RuleViolation(
                    f"the attendance of person {entry['person_id']} is already recorded"
                )
        self.record(self.AttendanceRecorded, ctx, attendees=parsed)

    def draft_minutes(self, ctx: Context, *, text: str) -> None:
        """Write the first draft of the minutes of a held workshop."""
        self.ensure_held("draft its minutes")
        if self.minutes_status != MinutesStatus.NONE.value:
            raise RuleViolation(f"the minutes of '{self.title}' are already {self.minutes_status}")
        self.record(self.MinutesDrafted, ctx, text=_minutes(text))

    def amend_minutes(self, ctx: Context, *, text: str, note: str) -> None:
        """Change the draft minutes, saying why; approved minutes are sealed."""
        self.ensure_minutes_drafted("amended")
        amended = _minutes(text)
        if amended == self.minutes_text:
            raise RuleViolation("the amended minutes are identical to the draft")
        self.record(
            self.MinutesAmended,
            ctx,
            text=amended,
            note=checked_text(note, "note", max_length=TEXT_MAX),
        )

    def approve_minutes(self, ctx: Context) -> None:
        """Seal the draft minutes and record the SHA-256 hash of their text."""
        self.ensure_minutes_drafted("approved")
        assert self.minutes_text is not None  # a draft always has text
        self.record(self.MinutesApproved, ctx, minutes_hash=sha256_hex(self.minutes_text))

    def raise_follow_up(
        self,
        ctx: Context,
        *,
        action_id: UUID,
        description: str,
        owner_id: UUID,
        group_id: UUID | None,
        due_on: date,
    ) -> None:
        """Note a follow-up of a held workshop; the application saves it with its action."""
        self.ensure_held("raise a follow-up")
        self.record(
            self.FollowUpRaised,
            ctx,
            action_id=action_id,
            description=checked_text(description, "description", max_length=TEXT_MAX),
            owner_id=owner_id,
            group_id=group_id,
            due_on=due_on,
        )

    # -- queries ------------------------------------------------------------------

    def active_registrations(self) -> list[Registration]:
        """The registrations that hold a place."""
        return [r for r in self.registrations.values() if r.active]

    def ensure_upcoming(self, what: str) -> None:
        """Refuse `what` once the workshop is cancelled or held."""
        if self.status == WorkshopStatus.CANCELLED.value:
            raise RuleViolation(f"'{self.title}' is cancelled: you cannot {what}")
        if self.status == WorkshopStatus.HELD.value:
            raise RuleViolation(f"'{self.title}' has already been held: you cannot {what}")

    def ensure_held(self, what: str) -> None:
        """Refuse `what` until the workshop has been held."""
        if self.status != WorkshopStatus.HELD.value:
            raise RuleViolation(f"'{self.title}' has not been held: you cannot {what} yet")

    def ensure_minutes_drafted(self, done: str) -> None:
        """Refuse changing minutes that are not drafted (yet) or already sealed."""
        if self.minutes_status == MinutesStatus.APPROVED.value:
            raise RuleViolation(
                f"the minutes of '{self.title}' are approved and sealed: they cannot be {done}"
            )
        if self.minutes_status != MinutesStatus.DRAFTED.value:
            raise RuleViolation(f"'{self.title}' has no draft minutes yet: nothing can be {done}")


def _minutes(value: str) -> str:
    return checked_text(value, "text", max_length=TEXT_MAX)
