"""B9. Dissemination: how the partnership's work is anchored in its member organisations.

An activity is planned by a responsible member organisation, recorded once it is held
(when, how many it reached, the evidence), and then followed by what it led to: a member
organisation taking up a practice, or a policy changed (a municipality's procurement
criteria, say). Uptake and influence are recorded only for an activity that was held, so
the record never claims an effect of something that did not take place. The members
named are checked to be current members by the application.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID, uuid4

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.values import (
    TEXT_MAX,
    TITLE_MAX,
    Audience,
    choice,
    document_hash,
    text,
)
from coordination.domain.values import name as checked_name

#: The most people one activity can claim to have reached (a national broadcast is not it).
REACH_MAX = 10_000_000


class DisseminationChannel(StrEnum):
    """How an activity reaches people."""

    CONFERENCE = "conference"
    SEMINAR = "seminar"
    COURSE = "course"
    PUBLICATION = "publication"
    MEDIA = "media"
    MEETING = "meeting"
    OTHER = "other"


class DisseminationStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"


class Dissemination(CoordinationAggregate):
    """A dissemination activity and what came of it."""

    TOPIC = "coordination.dissemination"
    KIND = "dissemination activity"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Planned(CoordinationAggregate.Created):
        """DisseminationPlanned."""

        TOPIC = "coordination.dissemination.planned"
        partnership_id: UUID
        responsible_id: UUID
        title: str
        channel: str
        planned_on: date
        audience_description: str

        def apply(self, d: Dissemination) -> None:
            d.partnership_id, d.responsible_id = self.partnership_id, self.responsible_id
            d.title, d.planned_on = self.title, self.planned_on

    class Recorded(CoordinationAggregate.Event):
        """DisseminationRecorded: it was held, on that day, reaching that many people."""

        TOPIC = "coordination.dissemination.recorded"
        held_on: date
        reach: int
        evidence_hash: str

        def apply(self, d: Dissemination) -> None:
            d.status, d.held_on = DisseminationStatus.HELD.value, self.held_on

    class UptakeRecorded(CoordinationAggregate.Event):
        """A member organisation took up a practice the activity passed on."""

        TOPIC = "coordination.dissemination.uptake_recorded"
        outcome_id: UUID
        organisation_id: UUID
        practice: str
        adopted_on: date

        def apply(self, d: Dissemination) -> None:
            d.uptakes.add((self.organisation_id, self.practice.casefold()))

    class PolicyInfluenceRecorded(CoordinationAggregate.Event):
        """A member organisation changed a policy because of the activity."""

        TOPIC = "coordination.dissemination.policy_influence_recorded"
        outcome_id: UUID
        organisation_id: UUID
        change: str
        decided_on: date
        evidence_hash: str

        def apply(self, d: Dissemination) -> None:
            d.influences += 1

    def __init__(self) -> None:
        self.partnership_id = self.responsible_id = UUID(int=0)
        self.title = ""
        self.planned_on = date.min
        self.status = DisseminationStatus.PLANNED.value
        self.held_on: date | None = None
        self.uptakes: set[tuple[UUID, str]] = set()
        self.influences = 0

    def audience(self) -> str:
        return Audience.PARTNERSHIP.value

    # -- commands ---------------------------------------------------------------

    @classmethod
    def plan(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        responsible_id: UUID,
        title: str,
        channel: str,
        planned_on: date,
        audience_description: str,
    ) -> Dissemination:
        """Plan an activity of a member organisation (checked by the application)."""
        return cls.start(
            cls.Planned,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            responsible_id=responsible_id,
            title=checked_name(title, "title", max_length=TITLE_MAX),
            channel=choice(channel, DisseminationChannel, "channel").value,
            planned_on=planned_on,
            audience_description=text(
                audience_description, "audience_description", max_length=TEXT_MAX
            ),
        )

    def record_held(self, ctx: Context, *, held_on: date, reach: int, evidence_hash: str) -> None:
        """Record that the activity took place, once, with its reach and evidence."""
        if self.status == DisseminationStatus.HELD:
            raise RuleViolation(f"'{self.title}' is already recorded as held")
        _not_after_today(held_on, ctx, "held_on", "once it is held")
        if isinstance(reach, bool) or not isinstance(reach, int) or not 0 <= reach <= REACH_MAX:
            raise InvalidInput(f"must be a whole number from 0 to {REACH_MAX}", field="reach")
        self.record(
            self.Recorded,
            ctx,
            held_on=held_on,
            reach=reach,
            evidence_hash=document_hash(evidence_hash, "evidence_hash"),
        )

    def record_uptake(
        self, ctx: Context, *, organisation_id: UUID, practice: str, adopted_on: date
    ) -> UUID:
        """A member organisation adopted a practice from the activity; returns the record's id."""
        self._held("uptake")
        adopted = checked_name(practice, "practice", max_length=TITLE_MAX)
        if (organisation_id, adopted.casefold()) in self.uptakes:
            raise RuleViolation(
                f"organisation {organisation_id} is already recorded as taking up '{adopted}'"
            )
        self._since_held(adopted_on, ctx, "adopted_on")
        outcome_id = uuid4()
        self.record(
            self.UptakeRecorded,
            ctx,
            outcome_id=outcome_id,
            organisation_id=organisation_id,
            practice=adopted,
            adopted_on=adopted_on,
        )
        return outcome_id

    def record_policy_influence(
        self,
        ctx: Context,
        *,
        organisation_id: UUID,
        change: str,
        decided_on: date,
        evidence_hash: str,
    ) -> UUID:
        """A member organisation changed a policy because of the activity (with evidence)."""
        self._held("policy influence")
        self._since_held(decided_on, ctx, "decided_on")
        outcome_id = uuid4()
        self.record(
            self.PolicyInfluenceRecorded,
            ctx,
            outcome_id=outcome_id,
            organisation_id=organisation_id,
            change=text(change, "change", max_length=TEXT_MAX),
            decided_on=decided_on,
            evidence_hash=document_hash(evidence_hash, "evidence_hash"),
        )
        return outcome_id

    def _held(self, what: str) -> None:
        if self.status != DisseminationStatus.HELD:
            raise RuleViolation(
                f"'{self.title}' is not recorded as held: no {what} of an activity that has"
                " not taken place"
            )

    def _since_held(self, on: date, ctx: Context, field: str) -> None:
        assert self.held_on is not None  # `_held` came first
        if on < self.held_on:
            raise InvalidInput(
                f"{on.isoformat()} is before the activity was held ({self.held_on.isoformat()})",
                field=field,
            )
        _not_after_today(on, ctx, field, "once it has happened")


def _not_after_today(on: date, ctx: Context, field: str, when: str) -> None:
    if on > ctx.today:
        raise InvalidInput(f"{on.isoformat()} is after today: record it {when}", field=field)
