"""The integrator on both stores: contiguous indexes, verifiable checkpoints, one leader."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.integrator import Integrator, LogIntegrityError
from coordination.audit.log import AuditLog
from coordination.audit.merkle import EMPTY_ROOT, leaf_hash, root_hash, verify_consistency
from coordination.audit.note import Signer
from coordination.audit.storage import open_storage
from coordination.audit.storage_sqlite import ENTRY_FOR_EVENT
from coordination.audit.stored import stored_hash_index
from coordination.bootstrap import System
from coordination_demo import load_demo
from tests.audit.support import ORIGIN, assert_sound, execute, fill_events, node_signer

KEY = node_signer()


@pytest.fixture
def integrator(system: System) -> Iterator[Integrator]:
    made = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=50,
    )
    yield made
    made.stop()
    made.storage.close()


def test_the_demo_log_gets_contiguous_indexes_and_a_checkpoint_that_verifies(
    system: System, integrator: Integrator
) -> None:
    summary = load_demo(system.app, origin=ORIGIN)
    assert integrator.run_once() == summary.events
    checkpoint = integrator.storage.latest_checkpoint()
    assert checkpoint is not None
    signed = open_checkpoint(checkpoint.note, KEY.verifier, origin=ORIGIN)
    entries = integrator.storage.entries(0, signed.size)
    assert [e.index for e in entries] == list(range(summary.events))
    assert signed.size == summary.events
    # An independent recomputation: RFC 9162 over the entry bytes, not the stored tree.
    assert root_hash([leaf_hash(e.entry) for e in entries]) == signed.root_hash
    assert assert_sound(system, KEY.verifier) == summary.events


def test_an_empty_log_is_signed_at_size_zero(integrator: Integrator) -> None:
    assert integrator.run_once() == 0
    checkpoint = integrator.storage.latest_checkpoint()
    assert checkpoint is not None
    assert (checkpoint.size, checkpoint.root) == (0, EMPTY_ROOT)


def test_running_again_integrates_and_signs_nothing_new(
    system: System, integrator: Integrator
) -> None:
    fill_events(system.app, 120)
    assert integrator.run_once() == 120
    assert integrator.run_once() == 0
    assert execute(system, "SELECT COUNT(*) FROM log_checkpoints") == [(1,)]


def test_a_grown_log_gets_a_checkpoint_consistent_with_the_last(
    system: System, integrator: Integrator
) -> None:
    fill_events(system.app, 75)
    integrator.run_once()
    first = integrator.storage.latest_checkpoint()
    fill_events(system.app, 130)
    assert integrator.run_once() == 130
    second = integrator.storage.latest_checkpoint()
    assert first is not None
    assert second is not None
    assert (first.size, second.size) == (75, 205)
    log = AuditLog(integrator.storage, origin=ORIGIN, verifier=KEY.verifier)
    hashes = log.consistency_proof(75, 205)
    assert verify_consistency(75, 205, first.root, second.root, hashes)
    assert_sound(system, KEY.verifier)


def test_two_integrators_at_once_integrate_every_event_once(system: System) -> None:
    fill_events(system.app, 1500)
    integrators = [
        Integrator(
            system.app,
            open_storage(system.target, system.app),
            KEY,
            origin=system.settings.origin,
            batch_size=40,
        )
        for _ in range(2)
    ]
    start = threading.Barrier(2)

    def run(integrator: Integrator) -> None:
        start.wait()
        integrator.run_once()

    threads = [threading.Thread(target=run, args=(i,)) for i in integrators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert assert_sound(system, KEY.verifier) == 1500
    for integrator in integrators:
        integrator.storage.close()


def test_running_forever_signs_new_events_within_two_seconds(
    system: System, integrator: Integrator
) -> None:
    integrator.start()
    assert integrator.wait_until_signed(0, timeout=10)
    fill_events(system.app, 3)
    newest = system.app.recorder.max_notification_id()
    assert newest is not None
    assert integrator.wait_until_integrated(newest, timeout=2.0)
    assert integrator.wait_until_signed(3, timeout=2.0)
    integrator.stop()
    assert integrator.last_error is None
    assert assert_sound(system, KEY.verifier) == 3


def test_events_that_trickle_in_share_checkpoints(system: System) -> None:
    gap = 0.2
    integrator = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=50,
        checkpoint_gap=gap,
    )
    try:
        integrator.start()
        assert integrator.wait_until_signed(0, timeout=10)
        started = time.monotonic()
        for _ in range(20):  # one by one, each integrated before the next is recorded
            fill_events(system.app, 1)
            newest = system.app.recorder.max_notification_id()
            assert newest is not None
            assert integrator.wait_until_integrated(newest, timeout=5.0)
        # Still signed within the protocol's 2 seconds of the last entry.
        assert integrator.wait_until_signed(20, timeout=2.0)
        elapsed = time.monotonic() - started
        (checkpoints,) = execute(system, "SELECT COUNT(*) FROM log_checkpoints")[0]
        assert checkpoints <= elapsed / gap + 2  # at most one a gap, and the first
    finally:
        integrator.stop()
        integrator.storage.close()
    assert integrator.last_error is None
    assert assert_sound(system, KEY.verifier) == 20


def test_events_that_trickle_in_are_integrated_together(system: System) -> None:
    committed: list[str] = []

    def count(step: str) -> None:
        if step == "committed":
            committed.append(step)

    integrator = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=50,
        checkpoint_gap=0.5,
        fault=count,
    )
    try:
        integrator.start()
        assert integrator.wait_until_signed(0, timeout=10)
        for _ in range(20):  # recorded one by one, as a node's writes arrive
            fill_events(system.app, 1)
        assert integrator.wait_until_signed(20, timeout=5.0)
    finally:
        integrator.stop()
        integrator.storage.close()
    assert integrator.last_error is None
    # Without gathering, each event arriving after the last was integrated would be a
    # transaction of its own (up to 20); gathered, the first few and then the rest.
    assert len(committed) <= 5, committed
    assert assert_sound(system, KEY.verifier) == 20


def test_wait_until_integrated_gives_up_at_the_timeout(integrator: Integrator) -> None:
    assert not integrator.wait_until_integrated(10**9, timeout=0.05)


def test_the_key_must_be_named_by_the_origin(system: System) -> None:
    with pytest.raises(ValueError, match="not the origin"):
        Integrator(
            system.app,
            open_storage(system.target, system.app),
            Signer("someone.else/log", bytes(32)),
            origin=system.settings.origin,
        )


def test_one_process_leads_and_another_takes_over_when_it_goes(system: System) -> None:
    storage = open_storage(system.target, system.app)
    first, second = storage.integrator_session(), storage.integrator_session()
    try:
        assert first.try_lead()
        assert first.try_lead()  # still leading
        assert not second.try_lead()
        first.close()
        assert second.try_lead()
    finally:
        first.close()
        second.close()
        storage.close()


def test_another_process_creates_the_tables_while_one_leads(system: System) -> None:
    """A second worker starting up ensures the log's tables while the first one leads.
    (The tables' lock was once the leader's key: the second worker waited for ever.)"""
    storage, other = (
        open_storage(system.target, system.app),
        open_storage(system.target, system.app),
    )
    leader = storage.integrator_session()
    created = threading.Event()

    def create_tables() -> None:
        other.create_tables()
        created.set()

    try:
        assert leader.try_lead()
        threading.Thread(target=create_tables, daemon=True).start()
        assert created.wait(timeout=20), "creating the tables waited for the leader"
    finally:
        leader.close()
        other.close()
        storage.close()


def test_a_tree_node_altered_makes_the_integrator_refuse_to_sign(
    system: System, integrator: Integrator
) -> None:
    fill_events(system.app, 100)
    integrator.run_once()
    # The hash of leaves 0..63, which every later root and consistency proof uses.
    execute(
        system,
        "UPDATE log_hashes SET hash = ? WHERE storage_index = ?",
        (b"\x07" * 32, stored_hash_index(6, 0)),
    )
    fill_events(system.app, 10)
    with pytest.raises(
        LogIntegrityError, match="does not extend the signed checkpoint of size 100"
    ):
        integrator.run_once()
    assert execute(system, "SELECT MAX(size) FROM log_checkpoints") == [(100,)]


def test_an_altered_checkpoint_row_makes_the_integrator_refuse_to_sign(
    system: System, integrator: Integrator
) -> None:
    fill_events(system.app, 20)
    integrator.run_once()
    execute(system, "UPDATE log_checkpoints SET root = ?", (b"\x01" * 32,))
    fill_events(system.app, 1)
    with pytest.raises(LogIntegrityError, match="was altered"):
        integrator.run_once()


def test_entries_are_found_by_event_id_through_the_index(
    system: System, integrator: Integrator
) -> None:
    fill_events(system.app, 130)
    integrator.run_once()
    storage = integrator.storage
    for entry in storage.entries(0, 130)[::13]:
        assert storage.entry_for_event(entry.event_id) == entry
    assert storage.entry_for_event("6f1c2a4e-0000-4000-8000-00000000beef") is None
    if not system.target.is_postgres:
        # The 8-character prefix index, not a scan of every entry.
        plan = execute(
            system,
            "EXPLAIN QUERY PLAN " + ENTRY_FOR_EVENT,
            ("6f1c2a4e", "6f1c2a4e-0000-4000-8000-00000000beef"),
        )
        assert "SEARCH log_entries USING INDEX log_entries_event_key" in str(plan)
