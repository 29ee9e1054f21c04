"""The forums view (B1, B2): the partnership and its working groups, their member
organisations, the partnership's organisations, themes and representatives' mandates.

A forum row is either the partnership itself (``kind = partnership``, its id is the
partnership's) or one of its working groups. Mandates keep their dates; whether one is
current is asked at query time for a given day, never stored.
"""

from __future__ import annotations

from enum import StrEnum

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
    occurred,
    uid,
)
from coordination.projections.view import View


class ForumStatus(StrEnum):
    """Whether a forum still meets: a working group is closed once it is; the partnership
    is always open."""

    OPEN = "open"
    CLOSED = "closed"


FORUMS = Table(
    "forums",
    {
        "forum_id": ID,
        "seq": POSITION,
        "kind": TEXT,
        "partnership_id": ID,
        "name": TEXT,
        "theme_id": ID,
        "purpose": TEXT,
        "decides": TEXT,
        "default_rule": TEXT,
        "status": TEXT,
        "close_reason": TEXT,
        "convenor_person_id": ID,
        "convenor_org_id": ID,
        "programme": TEXT,
        "region": TEXT,
        "period_start": DAY,
        "period_end": DAY,
        "agreement_version": INT,
        "agreement_hash": TEXT,
        "created_at": MOMENT,
        "member_count": COUNTER,
    },
    key=("forum_id",),
    indexes=(("seq", "forum_id"), ("partnership_id", "seq"), ("theme_id",)),
)
FORUM_MEMBERS = Table(
    "forum_members",
    {
        "forum_id": ID,
        "org_id": ID,
        "seq": POSITION,
        "active": FLAG,
        "joined_at": MOMENT,
        "left_at": MOMENT,
    },
    key=("forum_id", "org_id"),
    indexes=(("org_id",), ("forum_id", "seq")),
)
ORGANISATIONS = Table(
    "organisations",
    {
        "org_id": ID,
        "partnership_id": ID,
        "seq": POSITION,
        "name": TEXT,
        "kind": TEXT,
        "admitted_on": DAY,
        "withdrawn_on": DAY,
        "withdrawal_reason": TEXT,
    },
    key=("org_id",),
    indexes=(("name", "org_id"), ("partnership_id",)),
)
MANDATES = Table(
    "mandates",
    {
        "mandate_id": ID,
        "partnership_id": ID,
        "org_id": ID,
        "person_id": ID,
        "seq": POSITION,
        "starts_on": DAY,
        "ends_on": DAY,
        "ended_on": DAY,
        "alternate": FLAG,
    },
    key=("mandate_id",),
    indexes=(("seq", "mandate_id"), ("org_id",), ("person_id",)),
)
THEMES = Table(
    "themes",
    {"theme_id": ID, "partnership_id": ID, "seq": POSITION, "name": TEXT, "archived": FLAG},
    key=("theme_id",),
    indexes=(("seq", "theme_id"),),
)


def _established(e: Partnership.Established, w: Writer) -> None:
    w.upsert(
        "forums",
        {"forum_id": uid(e.originator_id)},
        seq=w.position,
        kind="partnership",
        partnership_id=uid(e.originator_id),
        name=e.name,
        status="open",
        programme=e.programme,
        region=e.region,
        period_start=day(e.period_start),
        period_end=day(e.period_end),
        agreement_version=0,
        created_at=occurred(e),
    )


def _agreement(e: Partnership.AgreementAdopted | Partnership.AgreementAmended, w: Writer) -> None:
    w.update(
        "forums",
        {"forum_id": uid(e.originator_id)},
        agreement_version=e.version,
        agreement_hash=e.document_hash,
    )


def _admitted(e: Partnership.MemberAdmitted, w: Writer) -> None:
    partnership = uid(e.originator_id)
    w.upsert(
        "organisations",
        {"org_id": uid(e.member_id)},
        partnership_id=partnership,
        seq=w.position,
        name=e.name,
        kind=e.kind,
        admitted_on=day(e.admitted_on),
    )
    _join(w, partnership, uid(e.member_id), occurred(e))


def _withdrew(e: Partnership.MemberWithdrew, w: Writer) -> None:
    w.update(
        "organisations",
        {"org_id": uid(e.member_id)},
        withdrawn_on=day(e.withdrawn_on),
        withdrawal_reason=e.reason,
    )
    _leave(w, uid(e.originator_id), uid(e.member_id), occurred(e))


def _appointed(e: Partnership.RepresentativeAppointed, w: Writer) -> None:
    w.upsert(
        "mandates",
        {"mandate_id": uid(e.mandate_id)},
        partnership_id=uid(e.originator_id),
        org_id=uid(e.member_id),
        person_id=uid(e.person_id),
        seq=w.position,
        starts_on=day(e.starts_on),
        ends_on=day(e.ends_on),
        alternate=flag(e.alternate),
    )


def _ended(e: Partnership.RepresentationEnded, w: Writer) -> None:
    w.update("mandates", {"mandate_id": uid(e.mandate_id)}, ended_on=day(e.ended_on))


def _theme(e: Partnership.ThemeDefined, w: Writer) -> None:
    w.upsert(
        "themes",
        {"theme_id": uid(e.theme_id)},
        partnership_id=uid(e.originator_id),
        seq=w.position,
        name=e.name,
    )


def _theme_archived(e: Partnership.ThemeArchived, w: Writer) -> None:
    w.update("themes", {"theme_id": uid(e.theme_id)}, archived=1)


def _convened(e: WorkingGroup.Convened, w: Writer) -> None:
    w.upsert(
        "forums",
        {"forum_id": uid(e.originator_id)},
        seq=w.position,
        kind="working_group",
        partnership_id=uid(e.partnership_id),
        name=e.name,
        theme_id=uid(e.theme_id),
        purpose=e.purpose,
        decides=e.decides,
        default_rule=e.default_rule,
        status="open",
        agreement_version=0,
        created_at=occurred(e),
    )


def _joined(e: WorkingGroup.MemberJoinedGroup, w: Writer) -> None:
    _join(w, uid(e.originator_id), uid(e.member_id), occurred(e))


def _left(e: WorkingGroup.MemberLeftGroup, w: Writer) -> None:
    group = uid(e.originator_id)
    _leave(w, group, uid(e.member_id), occurred(e))
    if e.convenor_vacated:
        w.update("forums", {"forum_id": group}, convenor_person_id=None, convenor_org_id=None)


def _convenor(e: WorkingGroup.ConvenorAppointed, w: Writer) -> None:
    w.update(
        "forums",
        {"forum_id": uid(e.originator_id)},
        convenor_person_id=uid(e.person_id),
        convenor_org_id=uid(e.member_id),
    )


def _charter(e: WorkingGroup.CharterRevised, w: Writer) -> None:
    w.update(
        "forums",
        {"forum_id": uid(e.originator_id)},
        purpose=e.purpose,
        decides=e.decides,
        default_rule=e.default_rule,
    )


def _closed(e: WorkingGroup.Closed, w: Writer) -> None:
    w.update("forums", {"forum_id": uid(e.originator_id)}, status="closed", close_reason=e.reason)


def _join(w: Writer, forum: str | None, org: str | None, at: str | None) -> None:
    # A rejoining organisation sorts by its latest joining.
    w.upsert(
        "forum_members",
        {"forum_id": forum, "org_id": org},
        seq=w.position,
        active=1,
        joined_at=at,
        left_at=None,
    )
    w.update("forums", {"forum_id": forum}, increments={"member_count": 1})


def _leave(w: Writer, forum: str | None, org: str | None, at: str | None) -> None:
    w.update("forum_members", {"forum_id": forum, "org_id": org}, active=0, left_at=at)
    w.update("forums", {"forum_id": forum}, increments={"member_count": -1})


VIEW = View(
    name="forums",
    tables=(FORUMS, FORUM_MEMBERS, ORGANISATIONS, MANDATES, THEMES),
    handlers={
        Partnership.Established.TOPIC: _established,
        Partnership.AgreementAdopted.TOPIC: _agreement,
        Partnership.AgreementAmended.TOPIC: _agreement,
        Partnership.MemberAdmitted.TOPIC: _admitted,
        Partnership.MemberWithdrew.TOPIC: _withdrew,
        Partnership.RepresentativeAppointed.TOPIC: _appointed,
        Partnership.RepresentationEnded.TOPIC: _ended,
        Partnership.ThemeDefined.TOPIC: _theme,
        Partnership.ThemeArchived.TOPIC: _theme_archived,
        WorkingGroup.Convened.TOPIC: _convened,
        WorkingGroup.MemberJoinedGroup.TOPIC: _joined,
        WorkingGroup.MemberLeftGroup.TOPIC: _left,
        WorkingGroup.ConvenorAppointed.TOPIC: _convenor,
        WorkingGroup.CharterRevised.TOPIC: _charter,
        WorkingGroup.Closed.TOPIC: _closed,
    },
)
