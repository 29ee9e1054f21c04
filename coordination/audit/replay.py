"""Replay the log up to a moment into a separate database: what the partnership knew then.

A replay (`coordination.bootstrap.replay`) picks a cut-off in the integrated log (an
index, or the last entry recorded at or before a time: `find_cut_off`), copies the node's
stored events up to the cut-off's notification id into a fresh SQLite event store, in
notification order (`copy_events`), and builds every view over that copy with the
ordinary projector. The node's own database is only read (and integrated, when the log
lags behind the event store and a key is at hand: `integrate_if_behind`).

Times are compared with each entry's ``recordedtime``: when the node's event store
recorded the event (the library's timestamp), not when the partnership says it
happened (``time``), because an auditor asks what the node knew at a moment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from coordination.domain.errors import InvalidInput
from coordination.domain.values import in_utc

from .integrator import Integrator
from .storage import LogEntry, LogStorage

if TYPE_CHECKING:
    from uuid import UUID

    from eventsourcing.application import Application

    from .last_checkpoint import LastCheckpoint
    from .note import Signer

#: Entries read per query when searching by time, and events copied per insert.
CHUNK = 1000
_INDEX = re.compile(r"^[0-9]+$")


class ReplayError(ValueError):
    """The cut-off asked for cannot be served; the message says why."""


@dataclass(frozen=True)
class AsOf:
    """A parsed ``--as-of``: a log index, or a UTC moment (a date means its end)."""

    index: int | None = None
    moment: datetime | None = None

    def describe(self) -> str:
        if self.index is not None:
            return f"log index {self.index}"
        assert self.moment is not None
        return f"recorded at or before {self.moment.isoformat()}"


@dataclass(frozen=True)
class CutOff:
    """The last log entry replayed: its index, notification id and recorded time."""

    index: int
    notification_id: int
    recorded_at: datetime


@dataclass(frozen=True)
class Replayed:
    """A finished replay: where it stopped, how many events it copied, where they are."""

    cut_off: CutOff
    as_of: AsOf
    events: int
    path: Path
    log_size: int


def parse_as_of(text: str) -> AsOf:
    """Parse a log index (digits), an ISO date (its end, UTC) or an RFC 3339 time.

    A date stands for the last microsecond of that day in UTC; a time without a zone is
    refused rather than guessed.

    Raises:
        ReplayError: The text is none of these.
    """
    text = text.strip()
    if _INDEX.match(text):
        return AsOf(index=int(text))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return AsOf(moment=end_of_day(day))
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ReplayError(
            f"--as-of {text!r} is neither a log index, an ISO date nor an RFC 3339 time"
        ) from None
    if moment.tzinfo is None:
        raise ReplayError(f"--as-of {text!r} has no timezone: add Z or an offset")
    try:
        return AsOf(moment=in_utc(moment, f"--as-of {text!r}"))
    except InvalidInput as error:  # beyond the calendar in UTC: an OverflowError, before
        raise ReplayError(str(error)) from None


def recorded_at(entry: LogEntry) -> datetime:
    """When the node's event store recorded the entry's event (``recordedtime``)."""
    envelope = json.loads(entry.entry)
    return datetime.fromisoformat(envelope["recordedtime"]).astimezone(UTC)


def _cut_off(entry: LogEntry) -> CutOff:
    return CutOff(entry.index, entry.notification_id, recorded_at(entry))


def find_cut_off(storage: LogStorage, as_of: AsOf) -> CutOff:
    """The entry ``as_of`` names: that index, or the largest one recorded at or before.

    Recorded times need not rise with the index (the library stamps an event when it is
    made, before its transaction commits), so a time search reads every entry.

    Raises:
        ReplayError: The index is beyond the log, or nothing was recorded by the time.
    """
    size = storage.position().size
    if as_of.index is not None:
        if as_of.index >= size:
            raise ReplayError(
                f"log index {as_of.index} is beyond the log, which has {size} entries"
                f" (indexes 0 to {size - 1})"
            )
        return _cut_off(storage.entries(as_of.index, as_of.index + 1)[0])
    assert as_of.moment is not None
    found: LogEntry | None = None
    for start in range(0, size, CHUNK):
        for entry in storage.entries(start, min(start + CHUNK, size)):
            if recorded_at(entry) <= as_of.moment:
                found = entry
    if found is None:
        raise ReplayError(f"no event of the log was recorded at or before {as_of.moment}")
    return _cut_off(found)


def integrate_if_behind(
    app: Application[UUID],
    storage: LogStorage,
    signer: Signer | None,
    *,
    origin: str,
    last_checkpoint: LastCheckpoint | None = None,
) -> None:
    """Integrate what `app` recorded beyond the log, when there is that and a key; the
    checkpoint signed must extend `last_checkpoint`, the node's kept one."""
    behind = (app.recorder.max_notification_id() or 0) > storage.position().notification_id
    if behind and signer is not None:
        integrator = Integrator(
            app, storage, signer, origin=origin, last_checkpoint=last_checkpoint
        )
        try:
            integrator.run_once()
        finally:
            integrator.close()


def copy_events(source: Application[UUID], target: Application[UUID], last: int) -> int:
    """Copy the stored events with notification ids up to ``last``.

    The same stored events go, in notification order, into the target's recorder, which
    numbers them afresh (1, 2, ... without the source's gaps): the views only need the
    order. Returns how many were copied.
    """
    copied, start = 0, 1
    while True:
        batch = source.recorder.select_notifications(start=start, limit=CHUNK, stop=last)
        if not batch:
            return copied
        target.recorder.insert_events(list(batch))
        copied += len(batch)
        start = batch[-1].id + 1


def end_of_day(day: date) -> datetime:
    """The last microsecond of ``day`` in UTC (what a date ``--as-of`` means)."""
    return datetime.combine(day, time.max, tzinfo=UTC)


__all__ = [
    "AsOf",
    "CutOff",
    "ReplayError",
    "Replayed",
    "copy_events",
    "end_of_day",
    "find_cut_off",
    "integrate_if_behind",
    "parse_as_of",
]
