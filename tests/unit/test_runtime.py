"""Every command of the node runs with the node's garbage-collection thresholds."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coordination.cli import app
from coordination.runtime import THRESHOLDS


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
    from coordination.api import app_from_environment

    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(observability, "configure_logging", lambda: None)  # keep pytest's
    app_from_environment()  # builds the app; nothing runs until its lifespan
    assert gc.get_threshold() == THRESHOLDS
