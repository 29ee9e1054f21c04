"""The integrity alarm's state file: raised, added to, resolved; shared through the file."""

from __future__ import annotations

import json
import logging
import multiprocessing
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coordination.audit.integrity import (
    MAX_FINDINGS,
    STATE_FILE,
    Finding,
    FullPass,
    IntegrityAlarm,
    IntegrityState,
    raise_alarm,
    read_integrity,
    record_full_pass,
    resolve,
)
from coordination.observability import JsonFormatter

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def a_pass(started: datetime = T0, entries: int = 250) -> FullPass:
    return FullPass(started, started + timedelta(seconds=3), entries)


def test_no_file_is_no_alarm(tmp_path: Path) -> None:
    state = read_integrity(tmp_path / "keys")
    assert state.ok
    assert (state.since, state.findings, state.last_full_pass) == (None, (), None)


def test_the_first_finding_raises_the_alarm_and_later_ones_add_to_it(tmp_path: Path) -> None:
    first = Finding("leaf_hash", 42, "its bytes do not hash to its stored leaf hash")
    raised = raise_alarm(tmp_path, first)
    assert raised.state is IntegrityState.ALARM
    assert raised.since is not None
    again = raise_alarm(tmp_path, first, Finding("tree", 0, "the stored tree hash 254"))
    assert again.since == raised.since
    assert [(f.check, f.index) for f in again.findings] == [("leaf_hash", 42), ("tree", 0)]
    on_disk = json.loads((tmp_path / STATE_FILE).read_text())
    assert on_disk["state"] == "alarm"
    assert on_disk["findings"][0] == {
        "index": 42,
        "check": "leaf_hash",
        "detail": "its bytes do not hash to its stored leaf hash",
        "found_at": on_disk["findings"][0]["found_at"],
    }
    assert on_disk["findings"][0]["found_at"].endswith("Z")
    assert stat.S_IMODE((tmp_path / STATE_FILE).stat().st_mode) == 0o600


def test_findings_kept_are_bounded(tmp_path: Path) -> None:
    raise_alarm(tmp_path, *(Finding("entry", i, "missing") for i in range(MAX_FINDINGS + 50)))
    assert len(read_integrity(tmp_path).findings) == MAX_FINDINGS


def test_each_new_finding_is_one_structured_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    finding = Finding("event", 7, "its stored event (notification 8) is gone")
    with caplog.at_level(logging.ERROR, "coordination.audit.integrity"):
        raise_alarm(tmp_path, finding)
        raise_alarm(tmp_path, finding)  # known: not logged again
    (record,) = caplog.records
    line = json.loads(JsonFormatter().format(record))
    assert line["integrity_check"] == "event"
    assert line["log_index"] == 7
    assert "entry 7" in line["message"]


def test_resolve_clears_what_was_found_before_the_pass_began(tmp_path: Path) -> None:
    raise_alarm(tmp_path, Finding("tree", 0, "zeroed", T0))
    resolved = resolve(tmp_path, a_pass(T0 + timedelta(minutes=1)))
    assert resolved.ok
    assert resolved.findings == ()
    assert resolved.last_full_pass == a_pass(T0 + timedelta(minutes=1))
    assert read_integrity(tmp_path) == resolved


def test_resolve_keeps_an_alarm_raised_while_its_pass_ran(tmp_path: Path) -> None:
    raise_alarm(tmp_path, Finding("tree", 0, "zeroed", T0 + timedelta(minutes=2)))
    kept = resolve(tmp_path, a_pass(T0 + timedelta(minutes=1)))
    assert kept.state is IntegrityState.ALARM
    assert [f.index for f in kept.findings] == [0]


def test_a_full_pass_is_recorded_without_touching_the_alarm(tmp_path: Path) -> None:
    raise_alarm(tmp_path, Finding("tree", 0, "zeroed"))
    state = record_full_pass(tmp_path, a_pass(entries=9))
    assert state.state is IntegrityState.ALARM
    assert read_integrity(tmp_path).last_full_pass == a_pass(entries=9)


@pytest.mark.parametrize("content", [b"{not json", b'{"state": "fine"}', b"[]"])
def test_a_state_file_that_cannot_be_read_is_an_alarm(tmp_path: Path, content: bytes) -> None:
    (tmp_path / STATE_FILE).write_bytes(content)
    state = read_integrity(tmp_path)
    assert state.state is IntegrityState.ALARM
    assert state.findings[0].check == "state_file"
    assert IntegrityAlarm(tmp_path).raised()


def test_a_process_s_view_follows_the_file(tmp_path: Path) -> None:
    alarm = IntegrityAlarm(tmp_path)
    assert not alarm.raised()
    raise_alarm(tmp_path, Finding("tree", 0, "zeroed"))
    assert alarm.raised()
    resolve(tmp_path, a_pass(datetime.now(UTC) + timedelta(seconds=1)))
    assert not alarm.raised()


def test_the_integrator_s_halt_is_logged_once_each_way(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alarm = IntegrityAlarm(tmp_path)
    with caplog.at_level(logging.WARNING, "coordination.audit.integrity"):
        assert not alarm.halts("the integrator")
        raise_alarm(tmp_path, Finding("tree", 0, "zeroed"))
        caplog.clear()
        assert alarm.halts("the integrator")
        assert alarm.halts("the integrator")
        resolve(tmp_path, a_pass(datetime.now(UTC) + timedelta(seconds=1)))
        assert not alarm.halts("the integrator")
    messages = [r.getMessage() for r in caplog.records if "the integrator" in r.getMessage()]
    assert len(messages) == 2
    assert "stops while the integrity alarm is raised (tree check, entry 0: zeroed)" in messages[0]
    assert "goes on" in messages[1]


def _raise_many(directory: str, start: int) -> None:
    for i in range(start, start + 20):
        raise_alarm(Path(directory), Finding("entry", i, "missing"))


def test_writers_in_several_processes_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_raise_many, args=(str(tmp_path), s)) for s in (0, 20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert sorted(f.index for f in read_integrity(tmp_path).findings) == list(range(40))
