"""Replay the verified log up to a moment into a separate database: what the partnership
knew then.

A replay (`coordination.bootstrap.replay`) reads the log, from the node's own database or
from an exported bundle, and verifies all of it against its signed checkpoint first
(`verified.verify_for_use`), finding the cut-off on the way: an index, or the last entry
recorded at or before a time (`CutOffFinder`). Then it reads the verified entries again
up to the cut-off, reads each back into the domain event it records (`envelope_decode`)
and stores it in a fresh SQLite event store, in log order (`copy_verified`), and builds
every view over that store with the ordinary projector. The node's event table is not
read: a stored event altered after it was logged does not change what a replay shows.
(The node's log is integrated first when it lags behind the event table and a key is at
hand: `integrate_if_behind`.)

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

from .envelope_decode import EntryDecodeError
from .integrator import Integrator
from .storage import LogEntry, LogStorage
from .stored_state import StoredEventWriter

if TYPE_CHECKING:
    from typing import Any
    from uuid import UUID

    from eventsourcing.application import Application

    from .last_checkpoint import LastCheckpoint
    from .note import Signer
    from .verified import VerifiedLog

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
    """The last log entry replayed: its index, its event's notification id in the node's
    event table (None from a bundle, which does not carry it) and its recorded time."""

    index: int
    notification_id: int | None
    recorded_at: datetime


@dataclass(frozen=True)
class Replayed:
    """A finished replay: where it stopped, how many events it copied, where they are, and
    the log it read: where, its signed size and root, and whether the key was its own.
    """

    cut_off: CutOff
    as_of: AsOf
    events: int
    path: Path
    log_size: int
    source: str = ""
    root: bytes = b""
    key_from_source: bool = False


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
    return envelope_recorded_at(json.loads(entry.entry))


def envelope_recorded_at(envelope: dict[str, Any]) -> datetime:
    """When the node's event store recorded an envelope's event (``recordedtime``)."""
    return datetime.fromisoformat(envelope["recordedtime"]).astimezone(UTC)


class CutOffFinder:
    """Finds the entry ``as_of`` names while the log is verified (an ``on_entry`` hook):
    that index, or the largest one recorded at or before the moment. Recorded times need
    not rise with the index (the library stamps an event when it is made, before its
    transaction commits), so a time is compared with every entry."""

    def __init__(self, as_of: AsOf) -> None:
        self.as_of = as_of
        self._found: tuple[int, datetime] | None = None

    def __call__(self, index: int, envelope: dict[str, Any]) -> None:
        wanted, moment = self.as_of.index, self.as_of.moment
        if wanted is not None:
            if index == wanted:
                self._found = (index, envelope_recorded_at(envelope))
            return
        assert moment is not None
        recorded = envelope_recorded_at(envelope)
        if recorded <= moment:
            self._found = (index, recorded)

    def cut_off(self, size: int) -> tuple[int, datetime]:
        """The cut-off's index and recorded time, in a log of ``size`` entries.

        Raises:
            ReplayError: The index is beyond the log, or nothing was recorded by the time.
        """
        if self.as_of.index is not None and self.as_of.index >= size:
            raise ReplayError(
                f"log index {self.as_of.index} is beyond the log, which has {size} entries"
                f" (indexes 0 to {size - 1})"
            )
        if self._found is None:
            raise ReplayError(f"no event of the log was recorded at or before {self.as_of.moment}")
        return self._found


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


def copy_verified(verified: VerifiedLog, target: Application[UUID], last: int) -> CutOff:
    """Store the events of the verified entries 0 to ``last`` in ``target``'s event store.

    Each entry is read back into its domain event, stored as ``target``'s mapper stores
    it (``StoredEventWriter``), numbered afresh, 1, 2, ..., in log order: the views only
    need the order.

    Returns:
        The last entry copied (its recorded time is the envelope's).

    Raises:
        ReplayError: An entry cannot be read back into an event of this release.
        LogChanged: An entry is not the one that verified.
    """
    writer = StoredEventWriter(target.mapper)
    cut: CutOff | None = None
    for page in verified.pages(last + 1):
        stored = []
        for entry in page:
            try:
                stored.append(writer.stored(entry.envelope))
            except EntryDecodeError as exc:
                raise ReplayError(f"entry {entry.index} cannot be replayed: {exc}") from None
        target.recorder.insert_events(stored)
        final = page[-1]
        cut = CutOff(final.index, final.notification_id, envelope_recorded_at(final.envelope))
    if cut is None:
        raise ReplayError("the log is empty: there is nothing to replay")
    return cut


def end_of_day(day: date) -> datetime:
    """The last microsecond of ``day`` in UTC (what a date ``--as-of`` means)."""
    return datetime.combine(day, time.max, tzinfo=UTC)


__all__ = [
    "AsOf",
    "CutOff",
    "CutOffFinder",
    "ReplayError",
    "Replayed",
    "copy_verified",
    "end_of_day",
    "integrate_if_behind",
    "parse_as_of",
    "recorded_at",
]
