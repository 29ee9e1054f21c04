"""Commands decided on cached streams, and the check at insert that keeps them honest.

A second node process on the same store (`other`) writes behind this one's back, so
this process's cache is stale in the way a real deployment with several workers makes
it; on both backends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from coordination.application import CommandOptions, Coordination
from coordination.auth.authorization.standing import ensure_acts_for
from coordination.bootstrap import System, bootstrap
from coordination.domain.errors import Conflict, Forbidden
from coordination.persistence.read_validation import READ_VERSIONS, StaleRead
from coordination.settings import Settings
from tests.application.conftest import World, person_ctx, secretariat


@pytest.fixture
def other(settings: Settings) -> Iterator[Coordination]:
    """Another process's application on the same event store."""
    system: System = bootstrap(settings, create_tables=False)
    yield system.app
    system.close()


def stored_version(app: Coordination, stream_id: UUID) -> int:
    return len(list(app.repository.event_store.get(stream_id)))


def cached_version(app: Coordination, stream_id: UUID) -> int | None:
    cached = app._cache_repository.cached(stream_id)
    return None if cached is None else int(cached.version)


def another_partnership(app: Coordination, world: World, name: str) -> UUID:
    """A second partnership (a stream of its own), established through `app`."""
    first = world.app.partnership(world.partnership_id)
    return app.establish_partnership(
        secretariat(),
        name=name,
        programme="ESF",
        region="Uppsala county",
        period_start=first.period_start,
        period_end=first.period_end,
    ).stream_id


def test_commands_read_from_the_cache_where_the_recorder_checks_reads(world: World) -> None:
    assert world.app.reads_from_cache


def test_a_command_moves_the_cache_on_by_its_own_events(world: World) -> None:
    app, pid = world.app, world.partnership_id
    app.partnership(pid)  # cached
    app.define_theme(secretariat(), pid, name="Evaluation")
    assert cached_version(app, pid) == stored_version(app, pid)
    assert "Evaluation" in {t.name for t in app._cache_repository.cached(pid).themes.values()}


def test_a_command_decided_on_a_stale_copy_is_refused_and_runs_again_on_fresh_reads(
    world: World, other: Coordination
) -> None:
    app, pid = world.app, world.partnership_id
    app.partnership(pid)  # this process has the partnership cached...
    other.define_theme(secretariat(), pid, name="Written elsewhere")  # ...and now stale
    behind = stored_version(app, pid) - 1
    assert cached_version(app, pid) == behind

    result = app.define_theme(secretariat(), pid, name="Written here")

    # Nothing was lost or written twice: one event each, in order, both themes there.
    assert result.version == behind + 2 == stored_version(app, pid)
    names = [t.name for t in app.partnership(pid).themes.values()]
    assert names.count("Written elsewhere") == names.count("Written here") == 1


def test_a_pinned_version_newer_than_the_cache_is_read_from_the_store(
    world: World, other: Coordination
) -> None:
    """A client that saw the other process's write pins its version: not a conflict."""
    app, pid = world.app, world.partnership_id
    app.partnership(pid)
    seen = other.define_theme(secretariat(), pid, name="Written elsewhere").version
    result = app.define_theme(
        secretariat(), pid, name="Written here", options=CommandOptions(expected_version=seen)
    )
    assert result.version == seen + 1


def test_a_permission_granted_on_a_stale_copy_is_checked_again_and_refused(
    world: World, other: Coordination
) -> None:
    """The check's reads are held to their versions too: a mandate ended by another
    process after this one cached the partnership grants nothing."""
    app, pid = world.app, world.partnership_id
    representative = world.orgs[0]
    second = another_partnership(app, world, "Another partnership")
    ensure_acts_for(app, representative.ctx(), pid)  # cached, with the mandate current
    mandate = next(
        mandate_id
        for mandate_id, m in app.partnership(pid).mandates.items()
        if m.person_id == representative.rep
    )
    other.end_representation(
        secretariat(), pid, mandate_id=mandate, ended_on=secretariat().today.replace(day=1)
    )
    checks = 0

    def check() -> None:
        nonlocal checks
        checks += 1
        ensure_acts_for(app, representative.ctx(), pid)

    before = stored_version(app, second)
    with pytest.raises(Forbidden), app.reading_once(check):
        app.define_theme(secretariat(), second, name="Never recorded")
    assert checks == 2  # passed on the cached copy, refused on the store's
    assert stored_version(app, second) == before


def test_a_refusal_decided_on_a_stale_copy_is_decided_again_on_the_store(
    world: World, other: Coordination
) -> None:
    """The cache may only be behind: a theme another process defined is not "not found"."""
    app, pid = world.app, world.partnership_id
    app.partnership(pid)
    theme = other.define_theme(secretariat(), pid, name="Defined elsewhere").created_id
    assert theme is not None
    group = app.convene_working_group(
        secretariat(),
        pid,
        theme_id=theme,
        name="A group on the new theme",
        purpose="p",
        decides="d",
        default_rule="consent",
    )
    assert app.working_group(group.stream_id).theme_id == theme


def test_a_permission_granted_elsewhere_is_found_by_the_check(
    world: World, other: Coordination
) -> None:
    """A representative appointed by another process is not refused on the stale copy."""
    app, pid = world.app, world.partnership_id
    app.partnership(pid)
    org, person = world.orgs[1], uuid4()
    other.appoint_representative(
        secretariat(), pid, member_id=org.id, person_id=person, starts_on=secretariat().today
    )
    acting = person_ctx(person, org.id)
    with app.reading_once(lambda: ensure_acts_for(app, acting, pid)):
        result = app.define_theme(secretariat(), pid, name="After the check")
    assert result.version == stored_version(app, pid)


def test_a_pinned_version_seen_elsewhere_holds_when_the_check_read_the_stale_copy(
    world: World, other: Coordination
) -> None:
    """A mutation's check reads the stream unpinned (from the cache, behind); the command's
    pinned read then finds that copy: the version seen on another worker still holds."""
    app, pid = world.app, world.partnership_id
    app.partnership(pid)
    seen = other.define_theme(secretariat(), pid, name="Seen elsewhere").version
    with app.reading_once(lambda: app.partnership(pid)):
        result = app.define_theme(
            secretariat(), pid, name="Pinned", options=CommandOptions(expected_version=seen)
        )
    assert result.version == seen + 1


def test_a_command_that_failed_leaves_no_changed_copy_for_the_next_in_its_scope(
    world: World,
) -> None:
    """A command whose save was refused (its key used before) changed its copy of the
    stream; the next command of the same scope must not save on that copy (a gap)."""
    app, pid = world.app, world.partnership_id
    key = CommandOptions(idempotency_key="used once")
    app.define_theme(secretariat(), pid, name="First use", options=key)
    with app.reading_once():
        with pytest.raises(Conflict):
            app.define_theme(secretariat(), pid, name="Reused key", options=key)
        app.define_theme(secretariat(), pid, name="Next")
    versions = [e.originator_version for e in app.repository.event_store.get(pid)]
    assert versions == list(range(1, len(versions) + 1))


@pytest.mark.parametrize("stale", [False, True])
def test_the_recorder_inserts_only_while_every_stream_read_is_at_its_version(
    world: World, *, stale: bool
) -> None:
    app, pid = world.app, world.partnership_id
    partnership = app.partnership(pid)
    read = {pid: partnership.version - 1 if stale else partnership.version}
    partnership.define_theme(secretariat(), name="Checked")
    head = app.recorder.max_notification_id()
    if stale:
        with pytest.raises(StaleRead):
            app.save(partnership, **{READ_VERSIONS: read})
        assert app.recorder.max_notification_id() == head
        assert stored_version(app, pid) == partnership.version - 1
    else:
        app.save(partnership, **{READ_VERSIONS: read})
        assert stored_version(app, pid) == partnership.version


def test_a_stream_only_read_is_checked_as_well_as_the_one_written(
    world: World, other: Coordination
) -> None:
    app, pid = world.app, world.partnership_id
    group_like = another_partnership(other, world, "Read, not written")
    read_at = stored_version(app, group_like)
    other.define_theme(secretariat(), group_like, name="Moved on")
    partnership = app.partnership(pid)
    partnership.define_theme(secretariat(), name="Depends on the other stream")
    versions = {pid: partnership.version - 1, group_like: read_at}
    with pytest.raises(StaleRead):
        app.save(partnership, **{READ_VERSIONS: versions})
    assert stored_version(app, pid) == partnership.version - 1


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_key_violation_inserts_nothing_and_leaves_every_connection_usable(
    world: World,
) -> None:
    """On PostgreSQL the insert is one round trip with its COMMIT: a violation must still
    commit nothing, and each pooled connection must come back out of its failed
    transaction."""
    app, pid = world.app, world.partnership_id
    stored = list(app.repository.event_store.get(pid))
    head = app.recorder.max_notification_id()
    pool_log, kept = logging.getLogger("psycopg.pool"), Kept()
    pool_log.addHandler(kept)
    try:
        for _ in range(12):  # more than the pool's connections
            duplicate = app.events.mapper.to_stored_event(stored[-1])
            with pytest.raises(IntegrityError):
                app.recorder.insert_events([duplicate])
    finally:
        pool_log.removeHandler(kept)
    assert app.recorder.max_notification_id() == head
    # rolled back on its way back, not found in a failed transaction by the pool (which warns)
    assert kept.messages == []
    result = app.define_theme(secretariat(), pid, name="After the violations")
    assert result.version == len(stored) + 1 == stored_version(app, pid)


def test_two_processes_writing_one_stream_in_turn_lose_nothing_and_write_nothing_twice(
    world: World, other: Coordination, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each application's cache goes stale with every write of the other: each command is
    refused once on its stale copy and lands on the next attempt, once, in order."""
    app, pid = world.app, world.partnership_id
    app.partnership(pid), other.partnership(pid)  # both cached
    before = stored_version(app, pid)
    refused = 0
    for application in (app, other):
        insert = application.recorder.insert_events

        def counting(*args: object, insert: Any = insert, **kwargs: object) -> object:
            nonlocal refused
            try:
                return insert(*args, **kwargs)
            except IntegrityError:  # the stale read found, or the version it would write taken
                refused += 1
                raise

        monkeypatch.setattr(application.recorder, "insert_events", counting)

    versions = [
        application.define_theme(secretariat(), pid, name=f"{side} {n}").version
        for n in range(10)
        for application, side in ((app, "Here"), (other, "There"))
    ]

    assert versions == list(range(before + 1, before + 21))
    assert refused == 19  # every write after the first found the writer's cache behind
    names = {t.name for t in other.partnership(pid).themes.values()}
    assert {f"{side} {n}" for side in ("Here", "There") for n in range(10)} <= names
