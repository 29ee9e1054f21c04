"""The event store under the service: conflicts, idempotency and concurrency, on both backends."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest

from coordination.application import CommandOptions, CommandResult, Coordination, Outcome
from coordination.domain.errors import Conflict, InvalidInput
from coordination.domain.partnership import Partnership
from tests.application.conftest import World, secretariat


def stream(app: Coordination, stream_id: UUID) -> list[object]:
    return list(app.repository.event_store.get(stream_id))


def all_notifications(app: Coordination) -> list[object]:
    return list(app.recorder.select_notifications(start=1, limit=1_000_000))


def test_a_stale_expected_version_is_a_conflict(world: World) -> None:
    app, pid = world.app, world.partnership_id
    version = app.partnership(pid).version
    app.define_theme(secretariat(), pid, name="A", options=CommandOptions(expected_version=version))
    with pytest.raises(Conflict, match=f"is at version {version + 1}, not {version}"):
        app.define_theme(
            secretariat(), pid, name="B", options=CommandOptions(expected_version=version)
        )
    assert [t.name for t in app.partnership(pid).themes.values()].count("B") == 0


def test_two_writers_on_one_stream_one_wins_the_other_gets_a_conflict(world: World) -> None:
    """Both load the same version before either saves: the database decides."""
    app, pid = world.app, world.partnership_id
    version = app.partnership(pid).version
    both_loaded = threading.Barrier(2, timeout=30)

    def write(name: str) -> CommandResult | Conflict:
        options = CommandOptions(expected_version=version)

        def handle() -> Outcome:
            partnership = app.load(Partnership, pid, options)
            both_loaded.wait()
            partnership.define_theme(secretariat(), name=name)
            return Outcome(partnership)

        try:
            return app._run(secretariat(), "define_theme", handle, options, name=name)
        except Conflict as conflict:
            return conflict

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(write, ["Writer one", "Writer two"]))
    wins = [o for o in outcomes if isinstance(o, CommandResult)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(wins) == 1
    assert len(conflicts) == 1
    # The loser read its copy from the cache, so it reads the store once more before
    # it gives up: the stream is then past the version it pinned.
    assert f"is at version {version + 1}, not {version}" in conflicts[0].message
    assert len(stream(app, pid)) == version + 1


def test_a_repeated_command_with_its_key_records_once_and_returns_the_first_result(
    world: World,
) -> None:
    app, pid = world.app, world.partnership_id
    before = len(all_notifications(app))
    options = CommandOptions(idempotency_key="admit-coompanion-2026")
    first = app.admit_member(
        secretariat(), pid, name="Savings bank", kind="company", options=options
    )
    again = app.admit_member(
        secretariat(), pid, name="Savings bank", kind="company", options=options
    )
    assert again == first
    # one domain event and the command record, written together, and nothing more
    assert len(all_notifications(app)) == before + 2
    assert [m.name for m in app.partnership(pid).members.values()].count("Savings bank") == 1


def test_a_command_reports_the_position_of_its_last_event(world: World) -> None:
    """Read-your-writes waits for this position: exactly the command's own last event,
    and nothing for an answer replayed from its idempotency record."""
    app, pid = world.app, world.partnership_id
    options = CommandOptions(idempotency_key="position-of-its-last-event")
    first = app.admit_member(secretariat(), pid, name="Folk high school", kind="association")
    second = app.admit_member(
        secretariat(), pid, name="Housing cooperative", kind="cooperative", options=options
    )
    notes = all_notifications(app)
    assert first.position is not None
    assert second.position is not None
    assert first.position < second.position == notes[-1].id  # type: ignore[attr-defined]
    # the keyed command wrote its event and then its record: the record comes last
    recorded = {n.id: n.originator_id for n in notes}  # type: ignore[attr-defined]
    assert recorded[first.position] == pid
    replayed = app.admit_member(
        secretariat(), pid, name="Housing cooperative", kind="cooperative", options=options
    )
    assert replayed == second
    assert replayed.position is None


def test_a_check_and_its_command_read_each_stream_once(world: World) -> None:
    app, pid = world.app, world.partnership_id
    with app.reading_once():
        assert app.partnership(pid) is app.partnership(pid)
    assert app.partnership(pid) is not app.partnership(pid)  # fresh copies outside


def test_a_stream_read_before_another_writer_saved_is_read_again_after_the_lost_race(
    world: World,
) -> None:
    """The shared read is stale once another writer saves the stream: the save loses
    the race, and the command's next attempt reads the stream from the store again."""
    app, pid = world.app, world.partnership_id
    version = app.partnership(pid).version
    with app.reading_once():
        assert app.partnership(pid).version == version  # kept for the command below
        with ThreadPoolExecutor(1) as other:  # another thread: outside this scope
            other.submit(app.define_theme, secretariat(), pid, name="Written meanwhile").result()
        result = app.define_theme(secretariat(), pid, name="Written after")
    assert result.version == version + 2
    names = {t.name for t in app.partnership(pid).themes.values()}
    assert {"Written meanwhile", "Written after"} <= names


def test_a_key_reused_for_another_command_is_refused(world: World) -> None:
    app, pid = world.app, world.partnership_id
    options = CommandOptions(idempotency_key="k-1")
    app.define_theme(secretariat(), pid, name="Dissemination", options=options)
    with pytest.raises(Conflict, match="already used for define_theme with other input"):
        app.define_theme(secretariat(), pid, name="Evaluation", options=options)
    # The same command with other input was told it was another command.
    with pytest.raises(Conflict, match=r"already used for another command \(define_theme\)"):
        app.archive_theme(secretariat(), pid, theme_id=uuid4(), options=options)


def test_keys_are_scoped_per_actor(world: World) -> None:
    app, pid = world.app, world.partnership_id
    options = CommandOptions(idempotency_key="same-key")
    one = app.define_theme(secretariat(), pid, name="One", options=options)
    other_actor = world.orgs[0].ctx()
    two = app.define_theme(other_actor, pid, name="Two", options=options)
    assert one.created_id != two.created_id


def test_malformed_keys_are_refused(world: World) -> None:
    for key in ["", "x" * 201, "tab\tkey"]:
        with pytest.raises(InvalidInput, match="idempotency_key"):
            world.app.define_theme(
                secretariat(),
                world.partnership_id,
                name="T",
                options=CommandOptions(idempotency_key=key),
            )


def test_concurrent_retries_with_one_key_record_once(world: World) -> None:
    app, pid = world.app, world.partnership_id
    start = threading.Barrier(4, timeout=30)
    options = CommandOptions(idempotency_key="concurrent-retry")

    def send(_: int) -> CommandResult:
        start.wait()
        return app.admit_member(
            secretariat(), pid, name="Retry coop", kind="cooperative", options=options
        )

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(send, range(4)))
    assert len(set(results)) == 1
    assert [m.name for m in app.partnership(pid).members.values()].count("Retry coop") == 1


def _retrying(call: Callable[[], CommandResult]) -> CommandResult:
    """What a well-behaved client does on a conflict: send the same command again."""
    for _ in range(100):
        try:
            return call()
        except Conflict:
            continue
    raise AssertionError("a command kept conflicting 100 times")


def test_eight_threads_times_two_hundred_commands_lose_and_duplicate_nothing(
    world: World,
) -> None:
    app = world.app
    second = app.establish_partnership(
        secretariat(),
        name="Second",
        programme="ESF",
        region="R",
        period_start=world.app.partnership(world.partnership_id).period_start,
        period_end=world.app.partnership(world.partnership_id).period_end,
    ).stream_id
    streams = [world.partnership_id, second]
    versions_before = {s: app.partnership(s).version for s in streams}

    def client(thread: int) -> list[str]:
        names = []
        for i in range(200):
            name = f"theme {thread}-{i}"
            target = streams[(thread + i) % 2]
            options = CommandOptions(idempotency_key=f"{thread}-{i}")
            _retrying(
                lambda t=target, n=name, o=options: app.define_theme(  # type: ignore[misc]
                    secretariat(), t, name=n, options=o
                )
            )
            names.append(name)
        return names

    with ThreadPoolExecutor(8) as pool:
        sent = [name for names in pool.map(client, range(8)) for name in names]

    recorded: Counter[str] = Counter()
    for stream_id in streams:
        events = stream(app, stream_id)
        versions = [e.originator_version for e in events]  # type: ignore[attr-defined]
        assert versions == list(range(1, len(events) + 1)), "versions must be contiguous"
        new = events[versions_before[stream_id] :]
        recorded.update(e.name for e in new)  # type: ignore[attr-defined]
    assert len(sent) == 1600
    assert recorded == Counter(sent), "every command recorded exactly once"
    # Positions are unique and in commit order. (PostgreSQL sequences skip the numbers of
    # rolled-back inserts; the gap-free index is the integrator's log index.)
    positions = [n.id for n in all_notifications(app)]  # type: ignore[attr-defined]
    assert positions == sorted(set(positions))


def test_eight_writers_of_one_hot_stream_all_get_through_without_retrying(world: World) -> None:
    """Lost races make the stream hot; its writers then queue instead of racing again."""
    app, pid = world.app, world.partnership_id
    before = app.partnership(pid).version
    start = threading.Barrier(8, timeout=30)

    def writer(thread: int) -> int:
        start.wait()
        for i in range(25):
            app.define_theme(secretariat(), pid, name=f"hot {thread}-{i}")
        return thread

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(writer, range(8))) == list(range(8))
    assert app.partnership(pid).version == before + 200
