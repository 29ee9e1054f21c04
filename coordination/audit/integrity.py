"""The node's integrity alarm: raised on the first mismatch between what it stores and
what it signed, cleared only by an operator (decision 35).

The state lives in ``integrity.json`` in the keys directory (`keys.keys_dir`), shared by
every process of the node: the self-audit and the integrator raise it, the integrator
reads it before it integrates or signs, each API process reads it for ``/ready``,
``/metrics`` and GraphQL, ``coordination integrity`` shows and resolves it. It is kept
beside the keys, not in the database, because what it reports is that the database
cannot be trusted: a state in the tables someone rewrote could be rewritten with them.

    {"state": "ok" | "alarm", "since": RFC 3339 or null,
     "findings": [{"index": int | null, "check": str, "detail": str, "found_at": RFC 3339}],
     "last_full_pass": {"started_at": …, "finished_at": …, "entries": int,
                        "findings": int} | null}

Writers change it under a lock file and replace it whole (readers see the old state or
the new); readers look again only when the file changed (`IntegrityAlarm`), so asking
costs a ``stat``. A finding names the check, the log index where one applies and what
differs, never the content of an event.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from coordination.private_files import FILE_MODE, private_directory, write_private

log = logging.getLogger("coordination.audit.integrity")

STATE_FILE = "integrity.json"
_LOCK_FILE = ".integrity.lock"
#: Findings kept in the state: the first ones say where to look; the log has every one.
MAX_FINDINGS = 100


class IntegrityState(StrEnum):
    """Whether the node found what it stores to agree with what it signed."""

    OK = "ok"
    ALARM = "alarm"


def _now() -> datetime:
    return datetime.now(UTC)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _moment(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError("a moment must be RFC 3339 text")
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Finding:
    """One mismatch: which check found it, at which log index (None where none applies),
    what differs, and when it was found."""

    check: str
    index: int | None
    detail: str
    found_at: datetime = field(default_factory=_now, compare=False)

    def describe(self) -> str:
        """The finding in one line, for logs, ``/ready`` and the command line."""
        where = f"entry {self.index}" if self.index is not None else "the log"
        return f"{self.check} check, {where}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "check": self.check,
            "detail": self.detail,
            "found_at": _text(self.found_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        index = data["index"]
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError("a finding's index must be a whole number or null")
        return cls(str(data["check"]), index, str(data["detail"]), _moment(data["found_at"]))


@dataclass(frozen=True)
class FullPass:
    """A full pass of the self-audit over the log: when, over how many entries, and how
    many findings it made."""

    started_at: datetime
    finished_at: datetime
    entries: int
    findings: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": _text(self.started_at),
            "finished_at": _text(self.finished_at),
            "entries": self.entries,
            "findings": self.findings,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FullPass:
        return cls(
            _moment(data["started_at"]),
            _moment(data["finished_at"]),
            int(data["entries"]),
            int(data["findings"]),
        )


@dataclass(frozen=True)
class Integrity:
    """The node's integrity state (see the module's docstring for its file)."""

    state: IntegrityState = IntegrityState.OK
    since: datetime | None = None
    findings: tuple[Finding, ...] = ()
    last_full_pass: FullPass | None = None

    @property
    def ok(self) -> bool:
        """Whether no alarm is raised."""
        return self.state is IntegrityState.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "since": None if self.since is None else _text(self.since),
            "findings": [finding.to_json() for finding in self.findings],
            "last_full_pass": last.to_json() if (last := self.last_full_pass) else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> Integrity:
        """The state in a parsed file.

        Raises:
            ValueError, KeyError, TypeError: The data is not an integrity state.
        """
        last = data["last_full_pass"]
        return cls(
            IntegrityState(data["state"]),
            None if data["since"] is None else _moment(data["since"]),
            tuple(Finding.from_json(item) for item in data["findings"]),
            None if last is None else FullPass.from_json(last),
        )


def _unreadable(path: Path, why: str) -> Integrity:
    """A state file that cannot be read reads as an alarm: nothing is signed over a
    state nobody can tell."""
    finding = Finding("state_file", None, f"{path} cannot be read ({why}): put it right or resolve")
    return Integrity(IntegrityState.ALARM, None, (finding,))


def read_integrity(directory: Path) -> Integrity:
    """The integrity state kept in ``directory`` (the keys directory); OK when none is."""
    path = directory / STATE_FILE
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return Integrity()
    except OSError as error:
        return _unreadable(path, error.strerror or type(error).__name__)
    try:
        return Integrity.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as error:
        return _unreadable(path, f"not an integrity state: {type(error).__name__}")


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold the state's lock file (its writers queue; readers never wait)."""
    private_directory(directory)
    fd = os.open(directory / _LOCK_FILE, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write(directory: Path, state: Integrity) -> None:
    path = directory / STATE_FILE
    written = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    write_private(written, json.dumps(state.to_json(), indent=2).encode() + b"\n")
    os.replace(written, path)


def raise_alarm(directory: Path, *findings: Finding) -> Integrity:
    """Raise the alarm with ``findings`` (or add them to a raised one); each new finding
    is logged as a structured line naming its check and entry.

    Args:
        directory: The keys directory (`keys.keys_dir(settings)`).
        findings: What was found; one already recorded is not recorded twice.

    Returns:
        The state as written.
    """
    with _locked(directory):
        state = read_integrity(directory)
        known = {(f.check, f.index, f.detail) for f in state.findings}
        new = [f for f in findings if (f.check, f.index, f.detail) not in known]
        for finding in new:
            log.error(
                "integrity alarm: %s",
                finding.describe(),
                extra={"fields": {"integrity_check": finding.check, "log_index": finding.index}},
            )
        if not new:
            return state
        kept = (*state.findings, *new)[:MAX_FINDINGS]
        since = state.since if not state.ok and state.since is not None else _now()
        raised = replace(state, state=IntegrityState.ALARM, since=since, findings=kept)
        _write(directory, raised)
        return raised


def record_full_pass(directory: Path, full_pass: FullPass) -> Integrity:
    """Note a full pass of the self-audit in the state (what `integrity status` shows)."""
    with _locked(directory):
        state = replace(read_integrity(directory), last_full_pass=full_pass)
        _write(directory, state)
        return state


def resolve(directory: Path, full_pass: FullPass) -> Integrity:
    """Clear the alarm after ``full_pass`` found nothing.

    Findings made after the pass began stay (something new was found meanwhile, or the
    pass read a part before it was put right): the alarm then stays raised.

    Returns:
        The state as written.
    """
    with _locked(directory):
        state = read_integrity(directory)
        later = tuple(f for f in state.findings if f.found_at >= full_pass.started_at)
        if later:
            resolved = replace(state, last_full_pass=full_pass)
        else:
            resolved = Integrity(last_full_pass=full_pass)
            if not state.ok:
                log.warning(
                    "integrity alarm resolved by an operator after a full pass over %d"
                    " entries found nothing",
                    full_pass.entries,
                    extra={"fields": {"integrity_findings_cleared": len(state.findings)}},
                )
        _write(directory, resolved)
        return resolved


class IntegrityAlarm:
    """A process's view of the integrity state in ``directory``, read again only when the
    file changed: asking costs a ``stat`` (the integrator asks before every batch).

    Args:
        directory: The keys directory.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._seen: tuple[tuple[int, ...] | None, Integrity] | None = None
        self._halted = False

    def current(self) -> Integrity:
        """The state as the file says now."""
        try:
            st = os.stat(self.directory / STATE_FILE)
            key: tuple[int, ...] | None = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        except FileNotFoundError:
            key = None
        except OSError as error:
            return _unreadable(self.directory / STATE_FILE, error.strerror or "stat failed")
        seen = self._seen
        if seen is not None and seen[0] == key:
            return seen[1]
        state = Integrity() if key is None else read_integrity(self.directory)
        self._seen = (key, state)
        return state

    def raised(self) -> bool:
        """Whether the alarm is raised."""
        return not self.current().ok

    def halts(self, who: str) -> bool:
        """Whether ``who`` (the integrator) must stop for the alarm; says so in the log
        once when it stops and once when it goes on."""
        state = self.current()
        if state.ok == self._halted:
            self._halted = not state.ok
            if self._halted:
                first = state.findings[0].describe() if state.findings else "no finding named"
                log.error("%s stops while the integrity alarm is raised (%s)", who, first)
            else:
                log.warning("%s goes on: the integrity alarm was resolved", who)
        return self._halted

    def raise_alarm(self, *findings: Finding) -> Integrity:
        """`raise_alarm` in this directory."""
        return raise_alarm(self.directory, *findings)

    def record_full_pass(self, full_pass: FullPass) -> Integrity:
        """`record_full_pass` in this directory."""
        return record_full_pass(self.directory, full_pass)

    def resolve(self, full_pass: FullPass) -> Integrity:
        """`resolve` in this directory."""
        return resolve(self.directory, full_pass)
