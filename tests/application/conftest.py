"""Application-level fixtures: a partnership with members and representatives on each backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from coordination.application import Coordination
from coordination.bootstrap import System
from coordination.domain.context import Context

ORIGIN = "test.example/coordination/log"
#: Business time of the fixtures: everything below happens on this day unless a test moves it.
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def secretariat(at: datetime = NOW) -> Context:
    """The secretariat acting on its own account (no organisation)."""
    return Context(actor="secretariat", origin=ORIGIN, occurred_at=at)


def person_ctx(person: UUID, org: UUID | None, at: datetime = NOW) -> Context:
    return Context(actor=str(person), origin=ORIGIN, acting_for=org, occurred_at=at)


@dataclass
class Org:
    id: UUID
    rep: UUID  # a person holding a current mandate

    def ctx(self, at: datetime = NOW) -> Context:
        return person_ctx(self.rep, self.id, at)


@dataclass
class World:
    """A small partnership: three themes and five member organisations with representatives."""

    app: Coordination
    partnership_id: UUID
    themes: dict[str, UUID]
    orgs: list[Org]


@pytest.fixture
def app(system: System) -> Coordination:
    return system.app


@pytest.fixture
def world(app: Coordination) -> World:
    ctx = secretariat(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    partnership_id = app.establish_partnership(
        ctx,
        name="Development partnership for the social economy",
        programme="ESF",
        region="Stockholm county",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
    ).stream_id
    themes = {
        name: app.define_theme(ctx, partnership_id, name=name).created_id
        for name in ("Education", "Support services", "Social accounting")
    }
    orgs: list[Org] = []
    for name, kind in [
        ("Stockholm city", "municipality"),
        ("Employment agency", "public_agency"),
        ("Coompanion", "cooperative"),
        ("City mission", "association"),
        ("Care cooperative", "social_enterprise"),
    ]:
        member_id = app.admit_member(ctx, partnership_id, name=name, kind=kind).created_id
        assert member_id is not None
        person = uuid4()
        app.appoint_representative(
            ctx, partnership_id, member_id=member_id, person_id=person, starts_on=ctx.today
        )
        orgs.append(Org(member_id, person))
    return World(app, partnership_id, {k: v for k, v in themes.items() if v}, orgs)
