"""The check at insert that every stream a command read is still at its version.

A second node process on the same store (`other`) writes behind this one's back, so
this process's cache is stale in the way a real deployment with several workers makes
it; on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from coordination.application import Coordination
from coordination.bootstrap import System, bootstrap
from coordination.persistence.read_validation import READ_VERSIONS, StaleRead
from coordination.settings import Settings
from tests.application.conftest import World, secretariat


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
    group_like = other.establish_partnership(
        secretariat(),
        name="Read, not written",
        programme="ESF",
        region="Uppsala county",
        period_start=app.partnership(pid).period_start,
        period_end=app.partnership(pid).period_end,
    ).stream_id
    read_at = stored_version(app, group_like)
    other.define_theme(secretariat(), group_like, name="Moved on")
    partnership = app.partnership(pid)
    partnership.define_theme(secretariat(), name="Depends on the other stream")
    versions = {pid: partnership.version - 1, group_like: read_at}
    with pytest.raises(StaleRead):
        app.save(partnership, **{READ_VERSIONS: versions})
    assert stored_version(app, pid) == partnership.version - 1
