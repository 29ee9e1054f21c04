"""The interpreter settings of a node: its garbage-collection thresholds, and a prompt
hand-over of the interpreter lock while commands run."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coordination.cli import app
from coordination.runtime import THRESHOLDS, prompt_handoff


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("default_thresholds")
def test_a_command_sets_the_thresholds() -> None:
    result = CliRunner().invoke(app, ["catalogue"])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700  # fewer young collections than CPython's default


@pytest.mark.usefixtures("default_thresholds")
def test_a_worker_process_app_sets_them_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from coordination import observability
    from coordination.http.app import app_from_environment

    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(observability, "configure_logging", lambda: None)  # keep pytest's
    app_from_environment()  # builds the app; nothing runs until its lifespan
    assert gc.get_threshold() == THRESHOLDS


def test_the_switch_interval_is_short_while_any_command_runs() -> None:
    usual = sys.getswitchinterval()
    first_in, second_out, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, float] = {}

    def first() -> None:
        with prompt_handoff(0.001):
            first_in.set()
            first_may_leave.wait(10)
            seen["first, after the second left"] = sys.getswitchinterval()

    def second() -> None:
        first_in.wait(10)
        with prompt_handoff(0.001):
            seen["both running"] = sys.getswitchinterval()
        second_out.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_out.wait(10)
    first_may_leave.set()
    for thread in threads:
        thread.join(10)
    assert seen == {"both running": 0.001, "first, after the second left": 0.001}
    assert sys.getswitchinterval() == usual  # the last one out restores it


def test_the_switch_interval_is_restored_when_a_command_fails() -> None:
    usual = sys.getswitchinterval()
    with pytest.raises(RuntimeError), prompt_handoff(0.001):
        raise RuntimeError("the command failed")
    assert sys.getswitchinterval() == usual


def test_no_interval_leaves_the_switch_interval_alone() -> None:
    usual = sys.getswitchinterval()
    with prompt_handoff(None):
        assert sys.getswitchinterval() == usual
