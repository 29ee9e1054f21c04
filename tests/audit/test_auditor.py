"""The self-audit beside the integrator, on both stores: a full pass when it leads, each
new range checked as it is written, one auditor per log, and the integrator stopped by
the alarm (a tree that does not extend its checkpoint raises it, instead of an error
logged every second)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coordination.audit.auditor import Auditor
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.integrator import Integrator, LogIntegrityError
from coordination.audit.integrity import IntegrityAlarm, read_integrity
from coordination.audit.self_audit import SelfAudit
from coordination.audit.storage import LogStorage, open_storage
from coordination.audit.stored import stored_hash_index
from coordination.bootstrap import System
from tests.audit.support import ORIGIN, execute, fill_events, node_signer
from tests.audit.tampering import event_state

KEY = node_signer()
DEADLINE_S = 30.0


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"not within {DEADLINE_S} s: {what}"
        time.sleep(0.02)  # polling a condition with a deadline


@pytest.fixture
def storage(system: System) -> Iterator[LogStorage]:
    made = open_storage(system.target, system.app)
    yield made
    made.close()


def auditor_of(
    system: System, storage: LogStorage, alarm: IntegrityAlarm, **pace: float
) -> Auditor:
    audit = SelfAudit(storage, EntryEncoder(system.app.mapper, ORIGIN), [KEY.verifier])
    return Auditor(audit, alarm, share=pace.get("share", 1.0), pass_gap=pace.get("gap", 3600))


def integrator_of(
    system: System,
    storage: LogStorage,
    alarm: IntegrityAlarm | None,
    auditor: Auditor | None = None,
    fault: Callable[[str], None] | None = None,
) -> Integrator:
    return Integrator(
        system.app,
        storage,
        KEY,
        origin=ORIGIN,
        batch_size=100,
        checkpoint_gap=0.05,
        takeover_interval=0.1,
        integrity=alarm,
        auditor=auditor,
        fault=fault,
    )


def test_a_damaged_tree_raises_the_alarm_and_the_integrator_then_stops(
    system: System, storage: LogStorage, tmp_path: Path
) -> None:
    alarm = IntegrityAlarm(tmp_path / "keys")
    integrator = integrator_of(system, storage, alarm)
    fill_events(system.app, 100)
    integrator.run_once()
    execute(
        system,
        "UPDATE log_hashes SET hash = ? WHERE storage_index = ?",
        (b"\x07" * 32, stored_hash_index(6, 0)),
    )
    fill_events(system.app, 10)
    with pytest.raises(LogIntegrityError):
        integrator.run_once()
    (finding,) = read_integrity(tmp_path / "keys").findings
    assert finding.check == "stored_checkpoint"
    assert "does not extend the signed checkpoint of size 100" in finding.detail
    # Raised: nothing more is integrated or signed, and nothing is raised again.
    fill_events(system.app, 10)
    assert integrator.run_once() == 0
    assert storage.position().size == 110
    assert execute(system, "SELECT MAX(size) FROM log_checkpoints") == [(100,)]


def test_the_following_integrator_halts_on_the_alarm_instead_of_failing_each_second(
    system: System, storage: LogStorage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alarm = IntegrityAlarm(tmp_path / "keys")
    integrator = integrator_of(system, storage, alarm)
    fill_events(system.app, 20)
    with caplog.at_level(logging.WARNING):
        integrator.start()
        try:
            assert integrator.wait_until_signed(20, DEADLINE_S)
            execute(system, "UPDATE log_checkpoints SET root = ?", (b"\x01" * 32,))
            fill_events(system.app, 1)
            until(alarm.raised, "the alarm")
            until(
                lambda: any("stops while the integrity" in r.getMessage() for r in caplog.records),
                "the integrator halting",
            )
        finally:
            integrator.stop()
    refusals = [r for r in caplog.records if "refuses to sign" in r.getMessage()]
    assert len(refusals) == 1
    assert not [r for r in caplog.records if "the integrator failed" in r.getMessage()]


def test_a_new_range_is_checked_as_soon_as_it_is_written(
    system: System, storage: LogStorage, tmp_path: Path
) -> None:
    alarm = IntegrityAlarm(tmp_path / "keys")
    auditor = auditor_of(system, storage, alarm)  # no second full pass within the test
    tampered: list[int] = []

    def tamper(step: str) -> None:
        # Right after the batch commits, before the auditor is told of it.
        if step == "committed" and not tampered and storage.position().size >= 50:
            event_state(system, 42)
            tampered.append(42)

    integrator = integrator_of(system, storage, alarm, auditor, fault=tamper)
    integrator.start()
    try:
        until(lambda: auditor.last_pass is not None, "the first full pass, of the empty log")
        assert auditor.last_pass is not None
        assert auditor.last_pass.entries == 0
        fill_events(system.app, 60)
        until(alarm.raised, "the alarm from the new range")
    finally:
        integrator.stop()
    finding = read_integrity(tmp_path / "keys").findings[0]
    assert (finding.check, finding.index) == ("event", 42)


def test_one_auditor_per_log_the_leader_s(
    system: System, storage: LogStorage, tmp_path: Path
) -> None:
    fill_events(system.app, 30)
    alarm = IntegrityAlarm(tmp_path / "keys")
    other_storage = open_storage(system.target, system.app)
    auditors = [
        auditor_of(system, storage, alarm, gap=0.05),
        auditor_of(system, other_storage, alarm, gap=0.05),
    ]
    integrators = [
        integrator_of(system, storage, alarm, auditors[0]),
        integrator_of(system, other_storage, alarm, auditors[1]),
    ]
    integrators[0].start()
    try:
        until(lambda: auditors[0].last_pass is not None, "the leader's first pass")
        integrators[1].start()
        first = auditors[0].last_pass
        until(lambda: auditors[0].last_pass != first, "the leader's next pass")
        assert auditors[1].last_pass is None  # standing by: no pass of its own
        integrators[0].stop()  # the leader goes: the other takes over, and audits
        until(lambda: auditors[1].last_pass is not None, "the new leader's first pass")
    finally:
        for integrator in integrators:
            integrator.stop()
        other_storage.close()
    assert alarm.current().ok


def test_the_auditor_keeps_to_its_share_of_time(
    system: System, storage: LogStorage, tmp_path: Path
) -> None:
    fill_events(system.app, 3000)
    integrator_of(system, storage, None).run_once()
    auditor = auditor_of(system, storage, IntegrityAlarm(tmp_path), share=0.25)
    auditor.chunk = 200
    started = time.monotonic()
    auditor.start()
    try:
        until(lambda: auditor.last_pass is not None, "a full pass")
        elapsed = time.monotonic() - started
    finally:
        auditor.stop()
    busy = auditor.busy_seconds
    assert busy > 0
    # Fifteen chunks, each followed by a rest three times as long as it took.
    assert busy <= 0.25 * elapsed + 0.05, (busy, elapsed)
    assert elapsed >= 3.5 * busy, (busy, elapsed)
