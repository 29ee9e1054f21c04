"""B1: partnership and membership, one test per rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from coordination.application import Coordination
from coordination.domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from tests.application.conftest import NOW, TODAY, World, person_ctx, secretariat

HASH_A = "a" * 64
HASH_B = "b" * 64


def events_of(app: Coordination, stream_id: object) -> list[str]:
    return [type(e).TOPIC for e in app.repository.event_store.get(stream_id)]  # type: ignore[arg-type]


def test_establish_requires_a_period_that_ends_after_it_starts(app: Coordination) -> None:
    with pytest.raises(InvalidInput, match="must be after the start"):
        app.establish_partnership(
            secretariat(),
            name="P",
            programme="ESF",
            region="R",
            period_start=date(2027, 1, 1),
            period_end=date(2026, 1, 1),
        )


def test_establish_refuses_empty_and_oversized_names(app: Coordination) -> None:
    with pytest.raises(InvalidInput, match="name must not be empty"):
        app.establish_partnership(
            secretariat(),
            name="  ",
            programme="ESF",
            region="R",
            period_start=date(2026, 1, 1),
            period_end=date(2027, 1, 1),
        )
    with pytest.raises(InvalidInput, match="limit is 200"):
        app.establish_partnership(
            secretariat(),
            name="x" * 201,
            programme="ESF",
            region="R",
            period_start=date(2026, 1, 1),
            period_end=date(2027, 1, 1),
        )


def test_agreement_is_versioned_with_its_document_hash(world: World) -> None:
    app, pid = world.app, world.partnership_id
    with pytest.raises(RuleViolation, match="no adopted agreement"):
        app.amend_agreement(secretariat(), pid, summary="s", document_hash=HASH_B)
    app.adopt_agreement(secretariat(), pid, title="Partnership agreement", document_hash=HASH_A)
    with pytest.raises(RuleViolation, match="already adopted"):
        app.adopt_agreement(secretariat(), pid, title="Again", document_hash=HASH_B)
    with pytest.raises(InvalidInput, match="SHA-256"):
        app.amend_agreement(secretariat(), pid, summary="s", document_hash="not-a-hash")
    app.amend_agreement(secretariat(), pid, summary="New quorum", document_hash=HASH_B)
    partnership = app.partnership(pid)
    assert (partnership.agreement_version, partnership.agreement_hash) == (2, HASH_B)


def test_member_kind_must_be_one_of_the_known_kinds(world: World) -> None:
    with pytest.raises(InvalidInput, match="municipality, public_agency"):
        world.app.admit_member(secretariat(), world.partnership_id, name="X", kind="bank")


def test_every_member_has_one_equal_voice_whatever_its_kind(world: World) -> None:
    partnership = world.app.partnership(world.partnership_id)
    kinds = {m.kind for m in partnership.members.values()}
    assert len(kinds) == 5
    assert not any(hasattr(m, "weight") for m in partnership.members.values())


def test_a_current_member_cannot_be_admitted_twice(world: World) -> None:
    with pytest.raises(RuleViolation, match="already a member"):
        world.app.admit_member(
            secretariat(), world.partnership_id, name="stockholm CITY", kind="municipality"
        )


def test_withdrawn_member_keeps_its_history_and_loses_its_voice(world: World) -> None:
    app, pid, org = world.app, world.partnership_id, world.orgs[0]
    app.withdraw_member(secretariat(), pid, member_id=org.id, reason="Merged")
    partnership = app.partnership(pid)
    assert org.id in partnership.members  # history kept
    assert not partnership.represents(org.rep, org.id, TODAY)
    with pytest.raises(RuleViolation, match="no longer a member"):
        app.withdraw_member(secretariat(), pid, member_id=org.id, reason="Again")


def test_only_a_current_representative_acts_for_a_member(world: World) -> None:
    partnership = world.app.partnership(world.partnership_id)
    org, other = world.orgs[0], world.orgs[1]
    partnership.ensure_acts_for(org.ctx())
    with pytest.raises(Forbidden, match="not a current representative"):
        partnership.ensure_acts_for(person_ctx(other.rep, org.id))
    with pytest.raises(Forbidden, match="on behalf of a member"):
        partnership.ensure_acts_for(person_ctx(org.rep, None))


def test_mandates_are_dated_and_alternates_are_allowed(world: World) -> None:
    app, pid, org = world.app, world.partnership_id, world.orgs[2]
    alternate = uuid4()
    starts = TODAY + timedelta(days=10)
    mandate_id = app.appoint_representative(
        secretariat(),
        pid,
        member_id=org.id,
        person_id=alternate,
        starts_on=starts,
        ends_on=starts + timedelta(days=30),
        alternate=True,
    ).created_id
    partnership = app.partnership(pid)
    assert not partnership.represents(alternate, org.id, TODAY)
    assert partnership.represents(alternate, org.id, starts)
    assert not partnership.represents(alternate, org.id, starts + timedelta(days=31))
    assert partnership.represents(org.rep, org.id, starts)  # the main representative too
    assert mandate_id is not None
    app.end_representation(secretariat(), pid, mandate_id=mandate_id, ended_on=starts)
    assert not app.partnership(pid).represents(alternate, org.id, starts + timedelta(days=1))
    with pytest.raises(RuleViolation, match="already ended"):
        app.end_representation(secretariat(), pid, mandate_id=mandate_id, ended_on=starts)


def test_a_mandate_must_end_after_it_starts(world: World) -> None:
    with pytest.raises(InvalidInput, match="must be after the start"):
        world.app.appoint_representative(
            secretariat(),
            world.partnership_id,
            member_id=world.orgs[0].id,
            person_id=uuid4(),
            starts_on=TODAY,
            ends_on=TODAY - timedelta(days=1),
        )


def test_overlapping_mandates_for_the_same_person_and_member_are_refused(world: World) -> None:
    org = world.orgs[0]
    with pytest.raises(RuleViolation, match="already holds a mandate"):
        world.app.appoint_representative(
            secretariat(),
            world.partnership_id,
            member_id=org.id,
            person_id=org.rep,
            starts_on=TODAY,
        )


def test_unknown_member_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="not a member"):
        world.app.appoint_representative(
            secretariat(),
            world.partnership_id,
            member_id=uuid4(),
            person_id=uuid4(),
            starts_on=TODAY,
        )


def test_unknown_partnership_is_not_found(app: Coordination) -> None:
    with pytest.raises(NotFound, match="no partnership with id"):
        app.define_theme(secretariat(), uuid4(), name="Education")


def test_themes_are_defined_once_and_archived(world: World) -> None:
    app, pid = world.app, world.partnership_id
    with pytest.raises(RuleViolation, match="already exists"):
        app.define_theme(secretariat(), pid, name="education")
    app.archive_theme(secretariat(), pid, theme_id=world.themes["Education"])
    with pytest.raises(RuleViolation, match="archived"):
        app.archive_theme(secretariat(), pid, theme_id=world.themes["Education"])
    assert app.define_theme(secretariat(), pid, name="Education").created_id is not None


def test_a_refused_command_records_nothing(world: World) -> None:
    before = events_of(world.app, world.partnership_id)
    with pytest.raises(RuleViolation):
        world.app.admit_member(
            secretariat(), world.partnership_id, name="Stockholm city", kind="municipality"
        )
    assert events_of(world.app, world.partnership_id) == before


def test_events_carry_the_metadata_of_the_command_context(world: World) -> None:
    org = world.orgs[0]
    ctx = person_ctx(org.rep, org.id, NOW)
    world.app.define_theme(ctx, world.partnership_id, name="Dissemination")
    last = list(world.app.repository.event_store.get(world.partnership_id))[-1]
    assert last.actor == str(org.rep)  # type: ignore[attr-defined]
    assert last.acting_for == org.id  # type: ignore[attr-defined]
    assert last.origin == ctx.origin  # type: ignore[attr-defined]
    assert last.correlation_id == ctx.correlation_id  # type: ignore[attr-defined]
    assert last.causation_id == ctx.command_id  # type: ignore[attr-defined]
    assert last.occurred_at == NOW  # type: ignore[attr-defined]
    assert last.audience == "public"  # type: ignore[attr-defined]
