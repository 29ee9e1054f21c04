"""The node's integrity alarm: one small file in its keys directory, ``integrity.json``,
that every process of the node reads.

A process that finds the stored log contradicting what the node signed raises the alarm
here, with a finding that names what it checked and what it found; the state stays
``alarm`` until an operator resolves it. The file is replaced at once, under a lock, so
that two processes raising findings at once both keep theirs and a reader never sees
half a state. Format: ``{"state": "ok"|"alarm", "since": RFC 3339 or null, "findings":
[{"index": int|null, "check": str, "detail": str, "found_at": RFC 3339}],
"last_full_pass": {...}|null}``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from coordination.private_files import FILE_MODE, replace_private

FILE = "integrity.json"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Finding:
    """One mismatch: which check found it, what it found, and the entry when known."""

    check: str
    detail: str
    index: int | None = None
    found_at: datetime = field(default_factory=_now)


@dataclass(frozen=True)
class IntegrityState:
    """The alarm's state: ``ok``, or ``alarm`` since the first finding."""

    state: Literal["ok", "alarm"] = "ok"
    since: datetime | None = None
    findings: tuple[Finding, ...] = ()
    last_full_pass: dict[str, Any] | None = None


def read_state(keys_dir: Path) -> IntegrityState:
    """The alarm's state as the node's keys directory holds it; ``ok`` when no process
    has written one.

    Raises:
        ValueError: The file is not an integrity state.
    """
    try:
        raw = json.loads((keys_dir / FILE).read_bytes())
    except FileNotFoundError:
        return IntegrityState()
    try:
        return _state(raw)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"{keys_dir / FILE} is not an integrity state: {error!r}") from None


def _state(raw: Any) -> IntegrityState:
    return IntegrityState(
        state="alarm" if raw["state"] == "alarm" else "ok",
        since=None if raw["since"] is None else datetime.fromisoformat(raw["since"]),
        findings=tuple(
            Finding(
                check=str(f["check"]),
                detail=str(f["detail"]),
                index=None if f["index"] is None else int(f["index"]),
                found_at=datetime.fromisoformat(f["found_at"]),
            )
            for f in raw["findings"]
        ),
        last_full_pass=raw.get("last_full_pass"),
    )


def raise_alarm(keys_dir: Path, finding: Finding) -> IntegrityState:
    """Put the node in ``alarm`` with ``finding`` (kept once per check and entry).

    Returns:
        The state written.
    """
    with _locked(keys_dir):
        state = read_state(keys_dir)
        if any((f.check, f.index) == (finding.check, finding.index) for f in state.findings):
            return state
        state = IntegrityState(
            state="alarm",
            since=state.since or finding.found_at,
            findings=(*state.findings, finding),
            last_full_pass=state.last_full_pass,
        )
        replace_private(keys_dir / FILE, json.dumps(_as_json(state), indent=1).encode())
        return state


def _as_json(state: IntegrityState) -> dict[str, Any]:
    return {
        "state": state.state,
        "since": None if state.since is None else state.since.isoformat(),
        "findings": [
            {
                "index": f.index,
                "check": f.check,
                "detail": f.detail,
                "found_at": f.found_at.isoformat(),
            }
            for f in state.findings
        ],
        "last_full_pass": state.last_full_pass,
    }


@contextlib.contextmanager
def _locked(keys_dir: Path) -> Iterator[None]:
    fd = os.open(keys_dir / f"{FILE}.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
