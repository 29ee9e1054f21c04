"""A crash of the integrator between any two steps loses nothing and forks nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coordination.audit.integrator import STEPS, Integrator
from coordination.audit.integrity import IntegrityAlarm, read_integrity
from coordination.audit.last_checkpoint import LastCheckpoint
from coordination.audit.storage import open_storage
from coordination.bootstrap import System
from coordination.settings import Settings
from tests.audit.support import assert_sound, execute, fill_events, node_signer

KEY = node_signer()
ROOT = Path(__file__).resolve().parents[2]


class Crash(Exception):
    """What the injected fault raises: the process 'dies' at that step."""


def crash_at(step: str, occurrence: int) -> object:
    seen = 0

    def fault(name: str) -> None:
        nonlocal seen
        if name == step:
            seen += 1
            if seen == occurrence:
                raise Crash(step)

    return fault


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_boundary_loses_nothing(
    system: System, step: str, tmp_path: Path
) -> None:
    # A log with a signed checkpoint, then more events, and a crash in the second batch
    # (for integration steps) or while signing the grown tree (for signing steps). The
    # last checkpoint is kept in a keys directory, as the node keeps it, beside its alarm.
    kept = LastCheckpoint(tmp_path / "keys", system.settings.origin)
    kept.directory.mkdir(mode=0o700, exist_ok=True)
    alarm = IntegrityAlarm(kept.directory)
    fill_events(system.app, 150)
    first = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=100,
        last_checkpoint=kept,
        integrity=alarm,
    )
    first.run_once()
    first.storage.close()
    fill_events(system.app, 250)
    crashing = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=100,
        fault=crash_at(step, 2 if step in STEPS[:7] else 1),
        last_checkpoint=kept,
        integrity=alarm,
    )  # type: ignore[arg-type]
    with pytest.raises(Crash):
        crashing.run_once()
    crashing.storage.close()  # the process is gone, and its connections with it

    restarted = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=100,
        last_checkpoint=kept,
        integrity=alarm,
    )
    restarted.run_once()
    restarted.storage.close()
    assert assert_sound(system, KEY.verifier) == 400
    sizes = [size for (size,) in execute(system, "SELECT size FROM log_checkpoints ORDER BY size")]
    assert sizes[0] == 150
    assert sizes[-1] == 400
    # However far the crashed one got, the kept checkpoint is never ahead of the database
    # and blocks nothing; killed before it was written, it stays one checkpoint behind
    # until the next is signed (tests/audit/test_last_checkpoint.py).
    last_kept = kept.read()
    assert last_kept is not None
    assert last_kept.size == (150 if step == "checkpoint_committed" else 400)
    assert read_integrity(kept.directory).ok


def test_a_sigkill_mid_batch_loses_nothing_and_another_process_takes_over(
    system: System, settings: Settings
) -> None:
    fill_events(system.app, 1000)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.audit.integrator_child",
            settings.effective_database_url,
            str(settings.data_dir),
            "3",
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "STARTED"
        assert child.stdout.readline().strip() == "IN_BATCH"
        storage = open_storage(system.target, system.app)
        standby = storage.integrator_session()
        assert not standby.try_lead()  # the child leads, inside its third batch
        assert storage.position().size == 400  # two batches committed, the third open
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    standby.close()

    survivor = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=200,
        takeover_interval=0.1,
    )
    stop = threading.Event()
    thread = threading.Thread(target=survivor.run_forever, args=(stop,))
    thread.start()
    try:
        newest = system.app.recorder.max_notification_id()
        assert survivor.wait_until_integrated(newest, timeout=30)
        assert survivor.wait_until_signed(1000, timeout=30)
    finally:
        stop.set()
        thread.join(30)
        survivor.storage.close()
        storage.close()
    assert assert_sound(system, KEY.verifier) == 1000
