"""Encoding in a worker process: the same bytes, and a dead worker costs no entry."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator

import pytest

from coordination.audit.direct_encoder import EncodedRow
from coordination.audit.encoding_pool import EncodingPool, EncodingWorkerDied
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.integrator import Integrator
from coordination.audit.storage import EventRow, open_storage
from coordination.bootstrap import System
from coordination_demo import load_demo
from tests.audit.support import ORIGIN, assert_sound, fill_events, node_signer

KEY = node_signer()
START_S = 60.0


@pytest.fixture
def pool() -> Iterator[EncodingPool]:
    made = EncodingPool(ORIGIN, min_rows=1)
    yield made
    made.close()


def _rows(system: System) -> list[EventRow]:
    storage = open_storage(system.target, system.app)
    try:
        return storage.read_events(1, 100_000)
    finally:
        storage.close()


def _encode(pool: EncodingPool, rows: list[EventRow]) -> list[EncodedRow | None]:
    encoding = pool.submit(rows, 0)
    assert encoding is not None
    return encoding()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_writes_the_bytes_of_the_integrator_alone(
    system: System, pool: EncodingPool
) -> None:
    load_demo(system.app, origin=ORIGIN)
    rows = _rows(system)
    encoder = EntryEncoder(system.app.mapper, ORIGIN)
    pool.start(START_S)
    encoding = pool.submit(rows, 11)
    assert encoding is not None
    assert encoder.assemble(rows, 11, encoding()) == encoder.entries(rows, 11)


def test_small_batches_stay_in_process_and_start_no_worker() -> None:
    pool = EncodingPool(ORIGIN, min_rows=200)
    row = (1, "0" * 32, 1, "no.such:Topic", b"{}")
    assert pool.submit([row] * 199, 0) is None
    assert pool.worker_pid() is None
    pool.close()


def test_an_exception_in_the_worker_is_raised_by_the_batch_it_concerns(
    pool: EncodingPool,
) -> None:
    pid = pool.start(START_S)
    with pytest.raises(Exception, match=r"no\.such\.module"):
        _encode(pool, [(1, "0" * 32, 1, "no.such.module:Topic", b"{}")])
    assert pool.worker_pid() == pid  # the worker itself lives on


def test_closing_stops_the_worker(pool: EncodingPool) -> None:
    pid = pool.start(START_S)
    assert _alive(pid)
    pool.close()
    assert not _alive(pid)
    assert pool.worker_pid() is None


def test_a_killed_worker_is_an_error_and_a_new_one_starts(pool: EncodingPool) -> None:
    pid = pool.start(START_S)
    os.kill(pid, signal.SIGKILL)
    # Sent before or after the pool has seen the death: either way it is never encoded.
    with pytest.raises(EncodingWorkerDied):
        _encode(pool, [(1, "0" * 32, 1, "no.such:Topic", b"{}")])
    assert pool.start(START_S) != pid


def test_a_stuck_worker_is_killed_and_replaced() -> None:
    stuck = EncodingPool(ORIGIN, min_rows=1, answer_timeout=0.5)
    try:
        pid = stuck.start(START_S)
        os.kill(pid, signal.SIGSTOP)  # alive, but it will never answer
        with pytest.raises(EncodingWorkerDied, match=r"did not answer within 0\.5 s"):
            _encode(stuck, [(1, "0" * 32, 1, "no.such:Topic", b"{}")])
        assert not _alive(pid)
        assert stuck.start(START_S) != pid
    finally:
        stuck.close()


def test_a_large_batch_sent_to_a_stopped_worker_does_not_hold_the_sender(system: System) -> None:
    # Megabytes of rows fill the socket of a worker that reads nothing (SIGSTOP): the
    # send itself would wait for ever, and with it the integrator's read-ahead.
    fill_events(system.app, 3000)
    rows = _rows(system)
    pool = EncodingPool(ORIGIN, min_rows=1, answer_timeout=1.0)
    outcome: list[object] = []

    def send() -> None:
        try:
            encoding = pool.submit(rows, 0)
            assert encoding is not None
            outcome.append(encoding())
        except EncodingWorkerDied as error:
            outcome.append(error)

    try:
        pid = pool.start(START_S)
        os.kill(pid, signal.SIGSTOP)
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        sender.join(timeout=30)
        assert not sender.is_alive(), "the send to a stopped worker never returned"
        assert len(outcome) == 1
        assert isinstance(outcome[0], EncodingWorkerDied)
        assert not _alive(pid)
        assert pool.start(START_S) != pid
    finally:
        pool.close()


def test_a_worker_killed_while_answering_a_large_batch_is_an_error(system: System) -> None:
    # The answer is megabytes: the kill lands while it is on its way. The parent must
    # see the end of the socket, not wait for the rest of a message (ProcessPoolExecutor
    # did, for ever).
    fill_events(system.app, 3000)
    rows = _rows(system)
    pool = EncodingPool(ORIGIN, min_rows=1)
    try:
        pid = pool.start(START_S)
        encodings = [pool.submit(rows, 0) for _ in range(4)]
        os.kill(pid, signal.SIGKILL)
        outcomes = []
        for encoding in encodings:
            assert encoding is not None
            try:
                outcomes.append(len(encoding()))
            except EncodingWorkerDied:
                outcomes.append(-1)
        assert outcomes[-1] == -1  # the last one was certainly not answered
        assert all(n in (-1, len(rows)) for n in outcomes)
        assert pool.start(START_S) != pid
    finally:
        pool.close()


@pytest.mark.parametrize("in_worker", [False, True], ids=["in-process", "worker"])
def test_both_paths_integrate_the_same_log(system: System, in_worker: bool) -> None:
    load_demo(system.app, origin=ORIGIN)
    fill_events(system.app, 300)
    integrator = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=64,
        encode_in_worker=in_worker,
        worker_min_rows=1,
    )
    assert (integrator.encoding_pool is not None) is in_worker
    if integrator.encoding_pool is not None:
        integrator.encoding_pool.start(START_S)
    try:
        total = integrator.run_once()
    finally:
        integrator.close()
        integrator.storage.close()
    rows = _rows(system)
    assert total == len(rows)
    storage = open_storage(system.target, system.app)
    try:
        stored = storage.entries(0, total)
    finally:
        storage.close()
    assert stored == EntryEncoder(system.app.mapper, ORIGIN).entries(rows, 0)
    assert assert_sound(system, KEY.verifier) == total


def test_a_worker_killed_mid_run_leaves_the_log_complete(
    system: System, caplog: pytest.LogCaptureFixture
) -> None:
    fill_events(system.app, 3000)
    batches = 0
    killed: list[int] = []

    def kill_the_worker_once(step: str) -> None:
        # After the third batch is written, while later ones are read and encoded.
        nonlocal batches
        if step == "committed":
            batches += 1
            pool = integrator.encoding_pool
            if batches == 3 and pool is not None and (pid := pool.worker_pid()) is not None:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    integrator = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=100,
        worker_min_rows=1,
        fault=kill_the_worker_once,
    )
    assert integrator.encoding_pool is not None
    integrator.encoding_pool.start(START_S)
    last = _rows(system)[-1][0]
    with caplog.at_level(logging.ERROR, logger="coordination.audit.integrator"):
        integrator.start()
        try:
            assert integrator.wait_until_integrated(last, timeout=120)
            assert integrator.wait_until_signed(3000, timeout=60)
            restarted = integrator.encoding_pool.start(START_S)
        finally:
            integrator.stop()
            integrator.storage.close()
    assert killed, "the worker was not running when the third batch was written"
    assert any(
        isinstance(r.exc_info[1], EncodingWorkerDied) for r in caplog.records if r.exc_info
    ), "the worker's death did not surface as an error of the integrator"
    assert restarted != killed[0]
    assert assert_sound(system, KEY.verifier) == 3000


@pytest.mark.parametrize("step", ["read", "encoded", "locked", "committed"])
def test_a_crash_while_the_worker_encodes_loses_nothing(system: System, step: str) -> None:
    fill_events(system.app, 400)
    seen = 0

    def crash_in_the_second_batch(name: str) -> None:
        nonlocal seen
        if name == step:
            seen += 1
            if seen == 2:
                raise RuntimeError(step)

    crashing = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=100,
        worker_min_rows=1,
        fault=crash_in_the_second_batch,
    )
    assert crashing.encoding_pool is not None
    crashing.encoding_pool.start(START_S)
    try:
        with pytest.raises(RuntimeError, match=step):
            crashing.run_once()
    finally:
        crashing.close()
        crashing.storage.close()
    restarted = Integrator(
        system.app,
        open_storage(system.target, system.app),
        KEY,
        origin=system.settings.origin,
        batch_size=100,
        worker_min_rows=1,
    )
    try:
        assert restarted.run_once() > 0
    finally:
        restarted.close()
        restarted.storage.close()
    assert assert_sound(system, KEY.verifier) == 400
