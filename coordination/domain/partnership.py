"""B1. The partnership: its agreement, member organisations, representatives and themes.

One organisation, one equal voice, whatever its size: members carry a kind but no
weight. Only a current representative (a dated mandate person -> organisation) acts for
a member; the application checks that through `ensure_acts_for` before any command that
is done on an organisation's behalf.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.decision_rules import Proxy
from coordination.domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from coordination.domain.standing import holds_mandate
from coordination.domain.values import (
    NAME_MAX,
    TEXT_MAX,
    Audience,
    MemberKind,
    choice,
    document_hash,
    ordered,
    text,
)
from coordination.domain.values import name as checked_name


@dataclass(frozen=True)
class Member:
    name: str
    kind: str
    admitted_on: date
    withdrawn_on: date | None = None

    def is_current(self, on: date) -> bool:
        return self.admitted_on <= on and (self.withdrawn_on is None or on < self.withdrawn_on)


@dataclass(frozen=True)
class Mandate:
    person_id: UUID
    member_id: UUID
    starts_on: date
    ends_on: date | None
    alternate: bool
    ended_on: date | None = None

    @property
    def last_day(self) -> date | None:
        ends = [d for d in (self.ends_on, self.ended_on) if d is not None]
        return min(ends) if ends else None

    def covers(self, on: date) -> bool:
        last = self.last_day
        return self.starts_on <= on and (last is None or on <= last)


@dataclass(frozen=True)
class Theme:
    name: str
    archived: bool = False


class Partnership(CoordinationAggregate):
    """The development partnership itself."""

    TOPIC = "coordination.partnership"
    KIND = "partnership"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Established(CoordinationAggregate.Created):
        TOPIC = "coordination.partnership.established"
        name: str
        programme: str
        region: str
        period_start: date
        period_end: date

        def apply(self, p: Partnership) -> None:
            p.name, p.programme, p.region = self.name, self.programme, self.region
            p.period_start, p.period_end = self.period_start, self.period_end

    class AgreementAdopted(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.agreement_adopted"
        title: str
        document_hash: str
        version: int

        def apply(self, p: Partnership) -> None:
            p.agreement_version, p.agreement_hash = self.version, self.document_hash

    class AgreementAmended(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.agreement_amended"
        summary: str
        document_hash: str
        version: int

        def apply(self, p: Partnership) -> None:
            p.agreement_version, p.agreement_hash = self.version, self.document_hash

    class MemberAdmitted(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.member_admitted"
        member_id: UUID
        name: str
        kind: str
        admitted_on: date

        def apply(self, p: Partnership) -> None:
            p.members[self.member_id] = Member(self.name, self.kind, self.admitted_on)

    class MemberWithdrew(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.member_withdrew"
        member_id: UUID
        reason: str
        withdrawn_on: date

        def apply(self, p: Partnership) -> None:
            member = p.members[self.member_id]
            p.members[self.member_id] = replace(member, withdrawn_on=self.withdrawn_on)

    class RepresentativeAppointed(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.representative_appointed"
        mandate_id: UUID
        person_id: UUID
        member_id: UUID
        starts_on: date
        ends_on: date | None
        alternate: bool

        def apply(self, p: Partnership) -> None:
            p.mandates[self.mandate_id] = Mandate(
                self.person_id, self.member_id, self.starts_on, self.ends_on, self.alternate
            )

    class RepresentationEnded(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.representation_ended"
        mandate_id: UUID
        ended_on: date

        def apply(self, p: Partnership) -> None:
            mandate = p.mandates[self.mandate_id]
            p.mandates[self.mandate_id] = replace(mandate, ended_on=self.ended_on)

    class ThemeDefined(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.theme_defined"
        theme_id: UUID
        name: str

        def apply(self, p: Partnership) -> None:
            p.themes[self.theme_id] = Theme(self.name)

    class ThemeArchived(CoordinationAggregate.Event):
        TOPIC = "coordination.partnership.theme_archived"
        theme_id: UUID

        def apply(self, p: Partnership) -> None:
            p.themes[self.theme_id] = replace(p.themes[self.theme_id], archived=True)

    def __init__(self) -> None:
        self.name = self.programme = self.region = ""
        self.period_start = self.period_end = date.min
        self.agreement_version = 0
        self.agreement_hash: str | None = None
        self.members: dict[UUID, Member] = {}
        self.mandates: dict[UUID, Mandate] = {}
        self.themes: dict[UUID, Theme] = {}

    # -- commands ---------------------------------------------------------------

    @classmethod
    def establish(
        cls,
        ctx: Context,
        *,
        name: str,
        programme: str,
        region: str,
        period_start: date,
        period_end: date,
    ) -> Partnership:
        ordered(period_start, period_end, "period_end")
        return cls.start(
            cls.Established,
            ctx,
            audience=Audience.PUBLIC.value,
            name=checked_name(name, "name"),
            programme=checked_name(programme, "programme"),
            region=checked_name(region, "region"),
            period_start=period_start,
            period_end=period_end,
        )

    def adopt_agreement(self, ctx: Context, *, title: str, document_hash_hex: str) -> None:
        if self.agreement_version:
            raise RuleViolation("the partnership agreement is already adopted; amend it instead")
        self.record(
            self.AgreementAdopted,
            ctx,
            title=checked_name(title, "title"),
            document_hash=document_hash(document_hash_hex),
            version=1,
        )

    def amend_agreement(self, ctx: Context, *, summary: str, document_hash_hex: str) -> None:
        if not self.agreement_version:
            raise RuleViolation("there is no adopted agreement to amend; adopt one first")
        digest = document_hash(document_hash_hex)
        if digest == self.agreement_hash:
            raise RuleViolation("the amended agreement is identical to the one in force")
        self.record(
            self.AgreementAmended,
            ctx,
            summary=text(summary, "summary", max_length=TEXT_MAX),
            document_hash=digest,
            version=self.agreement_version + 1,
        )

    def admit_member(self, ctx: Context, *, name: str, kind: str) -> UUID:
        cleaned = checked_name(name, "name", max_length=NAME_MAX)
        member_kind = choice(kind, MemberKind, "kind")
        for member in self.members.values():
            if member.is_current(ctx.today) and member.name.casefold() == cleaned.casefold():
                raise RuleViolation(f"'{cleaned}' is already a member of the partnership")
        member_id = uuid4()
        self.record(
            self.MemberAdmitted,
            ctx,
            audience=Audience.PUBLIC.value,
            member_id=member_id,
            name=cleaned,
            kind=member_kind.value,
            admitted_on=ctx.today,
        )
        return member_id

    def withdraw_member(self, ctx: Context, *, member_id: UUID, reason: str) -> None:
        self.current_member(member_id, ctx.today)
        self.record(
            self.MemberWithdrew,
            ctx,
            audience=Audience.PUBLIC.value,
            member_id=member_id,
            reason=text(reason, "reason", max_length=TEXT_MAX),
            withdrawn_on=ctx.today,
        )

    def appoint_representative(
        self,
        ctx: Context,
        *,
        member_id: UUID,
        person_id: UUID,
        starts_on: date,
        ends_on: date | None = None,
        alternate: bool = False,
    ) -> UUID:
        member = self.current_member(member_id, ctx.today)
        ordered(starts_on, ends_on, "ends_on")
        if starts_on < member.admitted_on:
            raise InvalidInput(
                f"must not be before the organisation was admitted ({member.admitted_on})",
                field="starts_on",
            )
        for mandate in self.mandates.values():
            if (
                mandate.person_id == person_id
                and mandate.member_id == member_id
                and _overlap(mandate, starts_on, ends_on)
            ):
                raise RuleViolation(
                    f"person {person_id} already holds a mandate for {member.name} in that period"
                )
        mandate_id = uuid4()
        self.record(
            self.RepresentativeAppointed,
            ctx,
            mandate_id=mandate_id,
            person_id=person_id,
            member_id=member_id,
            starts_on=starts_on,
            ends_on=ends_on,
            alternate=alternate,
        )
        return mandate_id

    def end_representation(self, ctx: Context, *, mandate_id: UUID, ended_on: date) -> None:
        mandate = self.mandates.get(mandate_id)
        if mandate is None:
            raise NotFound(f"no mandate with id {mandate_id} in this partnership")
        if mandate.ended_on is not None:
            raise RuleViolation(f"mandate {mandate_id} already ended on {mandate.ended_on}")
        if ended_on < mandate.starts_on:
            raise InvalidInput(
                f"must not be before the mandate starts ({mandate.starts_on})", field="ended_on"
            )
        self.record(self.RepresentationEnded, ctx, mandate_id=mandate_id, ended_on=ended_on)

    def define_theme(self, ctx: Context, *, name: str) -> UUID:
        cleaned = checked_name(name, "name")
        for theme in self.themes.values():
            if not theme.archived and theme.name.casefold() == cleaned.casefold():
                raise RuleViolation(f"the theme '{cleaned}' already exists")
        theme_id = uuid4()
        self.record(
            self.ThemeDefined, ctx, audience=Audience.PUBLIC.value, theme_id=theme_id, name=cleaned
        )
        return theme_id

    def archive_theme(self, ctx: Context, *, theme_id: UUID) -> None:
        self.active_theme(theme_id)
        self.record(self.ThemeArchived, ctx, audience=Audience.PUBLIC.value, theme_id=theme_id)

    # -- queries used by other aggregates' commands -------------------------------

    def current_member(self, member_id: UUID, on: date) -> Member:
        """The member, refusing unknown and withdrawn organisations."""
        member = self.members.get(member_id)
        if member is None:
            raise NotFound(f"organisation {member_id} is not a member of this partnership")
        if not member.is_current(on):
            raise RuleViolation(f"{member.name} is no longer a member of the partnership")
        return member

    def active_theme(self, theme_id: UUID) -> Theme:
        theme = self.themes.get(theme_id)
        if theme is None:
            raise NotFound(f"no theme with id {theme_id} in this partnership")
        if theme.archived:
            raise RuleViolation(f"the theme '{theme.name}' is archived")
        return theme

    def represents(self, person_id: UUID, member_id: UUID, on: date) -> bool:
        """True when `person_id` holds a mandate for `member_id` on that day."""
        return holds_mandate(
            person_id, member_id, self.members.get(member_id), self.mandates.values(), on
        )

    def ensure_represents(self, person_id: UUID, member_id: UUID, on: date) -> None:
        """Refuse, with a reason, a person acting for an organisation they do not represent."""
        member = self.current_member(member_id, on)
        if not self.represents(person_id, member_id, on):
            raise Forbidden(
                f"person {person_id} is not a current representative of {member.name}"
                f" on {on.isoformat()}"
            )

    def ensure_acts_for(self, ctx: Context, proxies: Mapping[UUID, Proxy] | None = None) -> UUID:
        """The organisation the context acts for, checked against the actor's mandates.

        Args:
            ctx: The command's context; `acting_for` is the organisation claimed.
            proxies: For a position on a decision, the proxies granted on it by member:
                the holder of the claimed organisation's proxy acts for it too, while
                representing its own organisation. None for every other command.

        Raises:
            Forbidden: Naming why: no organisation, one that is not (or no longer) a
                member here, or no current mandate (nor proxy) for it.
        """
        if ctx.acting_for is None:
            raise Forbidden("this command must be made on behalf of a member organisation")
        member = self.members.get(ctx.acting_for)
        if member is None:
            raise Forbidden(
                f"organisation {ctx.acting_for} is not a member of this partnership:"
                " nobody acts for it here"
            )
        if not member.is_current(ctx.today):
            raise Forbidden(
                f"{member.name} is no longer a member of the partnership: nobody acts for it"
            )
        person, proxy = person_of(ctx), (proxies or {}).get(ctx.acting_for)
        if self.represents(person, ctx.acting_for, ctx.today) or (
            proxy is not None
            and proxy.person_id == person
            and self.represents(person, proxy.member_id, ctx.today)
        ):
            return ctx.acting_for
        proxied = "" if proxies is None else " and holds no valid proxy from it for this decision"
        raise Forbidden(
            f"person {person} is not a current representative of {member.name}"
            f" on {ctx.today.isoformat()}{proxied}"
        )

    def current_members(self, on: date) -> list[UUID]:
        return [m_id for m_id, m in self.members.items() if m.is_current(on)]


def person_of(ctx: Context) -> UUID:
    """The actor as a person id; service principals cannot act for organisations."""
    try:
        return UUID(ctx.actor)
    except ValueError:
        raise Forbidden(
            f"'{ctx.actor}' is not a person and cannot act for an organisation"
        ) from None


def _overlap(mandate: Mandate, starts_on: date, ends_on: date | None) -> bool:
    last = mandate.last_day
    starts_before_other_ends = last is None or starts_on <= last
    other_starts_before_end = ends_on is None or mandate.starts_on <= ends_on
    return starts_before_other_ends and other_starts_before_end
