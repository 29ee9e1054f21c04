"""The PostgreSQL recorder's insert: one round trip, and a lost answer is not a second
insert (PostgreSQL only: SQLite's recorder keeps the library's insert)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError

from coordination.application import Coordination
from coordination.persistence.recorder_postgres import ReadCheckingPostgresRecorder
from tests.application.conftest import World, secretariat


@pytest.fixture
def database_url(postgres_schema_url: str) -> str:
    return postgres_schema_url


def events_of(app: Coordination, stream_id: UUID) -> list[Any]:
    return list(app.repository.event_store.get(stream_id))


def failing_once(
    monkeypatch: pytest.MonkeyPatch, recorder: ReadCheckingPostgresRecorder, *, after: bool
) -> list[int]:
    """The recorder's next round trip loses its connection: after it committed (the
    answer lost) or before. Returns the list the failures are counted in."""
    real, failures = recorder._insert_once, []

    def insert_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            return real(*args, **kwargs)
        failures.append(1)
        if after:
            real(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(recorder, "_insert_once", insert_once)
    monkeypatch.setattr("coordination.persistence.recorder_postgres.INSERT_RETRY_WAIT_S", 0)
    return failures


@pytest.mark.parametrize("after", [True, False], ids=["answer lost", "nothing sent"])
def test_a_lost_connection_is_tried_again_and_the_command_lands_once(
    world: World, monkeypatch: pytest.MonkeyPatch, *, after: bool
) -> None:
    app, pid = world.app, world.partnership_id
    assert isinstance(app.recorder, ReadCheckingPostgresRecorder)
    before = len(events_of(app, pid))
    failures = failing_once(monkeypatch, app.recorder, after=after)

    result = app.define_theme(secretariat(), pid, name="Once")

    assert failures == [1]
    stored = events_of(app, pid)
    assert len(stored) == before + 1 == result.version
    assert [t.name for t in app.partnership(pid).themes.values()].count("Once") == 1
    assert result.position == app.recorder.max_notification_id()


def test_an_earlier_try_that_commits_after_the_retry_looked_is_still_found(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first try's connection drops while it waits for the table lock; the server
    runs it later all the same, just before the retry, which it leaves nothing to do:
    the retry is refused, finds the rows are its own, and the command lands once."""
    app, pid = world.app, world.partnership_id
    assert isinstance(app.recorder, ReadCheckingPostgresRecorder)
    before = len(events_of(app, pid))
    real, tries = app.recorder._insert_once, []

    def insert_once(*args: Any, **kwargs: Any) -> Any:
        tries.append(1)
        if len(tries) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        real(*args, **kwargs)  # the first try, run by the server after the retry looked
        return real(*args, **kwargs)  # the retry itself

    monkeypatch.setattr(app.recorder, "_insert_once", insert_once)
    monkeypatch.setattr("coordination.persistence.recorder_postgres.INSERT_RETRY_WAIT_S", 0)

    result = app.define_theme(secretariat(), pid, name="Once")

    assert len(tries) == 2
    assert len(events_of(app, pid)) == before + 1 == result.version
    assert [t.name for t in app.partnership(pid).themes.values()].count("Once") == 1


def test_with_the_librarys_database_functions_commands_read_the_store(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """That insert is the library's and checks no reads: the cache may not be trusted."""
    app = world.app
    assert app.reads_from_cache
    monkeypatch.setattr(app.recorder.datastore, "enable_db_functions", True)  # type: ignore[attr-defined]
    assert not app.reads_from_cache
