"""A log verified before any of it is used: what replays and rebuilds read.

``verify_for_use`` runs every check of ``verify`` over a source (the node's own database,
a bundle) against its signed checkpoint, and refuses the log, naming where it breaks,
unless all of them pass. Only then are the entries read again for use
(``VerifiedLog.pages``), and each must hash to the leaf hash verified at its index: bytes
that changed between the two reads are refused too, so nothing unverified is ever used.
The first pass keeps 32 bytes per entry (the leaf hashes), not the entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from .merkle import HASH_SIZE, leaf_hash
from .verify import verify_log
from .verify_report import Failure

if TYPE_CHECKING:
    from .note import Verifier
    from .verify_report import VerifyReport
    from .verify_scan import OnEntry
    from .verify_sources import LogSource

#: Failures named in a refusal's message; the report holds them all.
NAMED = 3


class LogNotVerified(RuntimeError):
    """The log does not verify; the message names where it breaks.

    Attributes:
        report: What ``verify`` found.
    """

    def __init__(self, report: VerifyReport) -> None:
        self.report = report
        named = "; ".join(str(failure) for failure in report.failures[:NAMED])
        more = len(report.failures) - NAMED
        extra = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"the log of {report.source} does not verify: {named}{extra}")


class LogChanged(RuntimeError):
    """An entry read for use is not the one verified a moment before; the message names it."""


@dataclass(frozen=True, slots=True)
class VerifiedEntry:
    """An entry read again after the log verified: its index, its event's notification id
    where the source knows it, its envelope and its bytes."""

    index: int
    notification_id: int | None
    envelope: dict[str, Any]
    entry: bytes


class VerifiedLog:
    """A log whose entries, up to its signed checkpoint, all verified.

    Attributes:
        source: Where it was read.
        report: What ``verify`` found: its origin, size and root, whose key it used.
    """

    def __init__(self, source: LogSource, report: VerifyReport) -> None:
        self.source, self.report = source, report
        self._leaves = bytes(report.leaves)

    @property
    def size(self) -> int:
        """The number of entries the signed checkpoint covers."""
        return self.report.size

    def leaf(self, index: int) -> bytes:
        """The leaf hash verified at ``index``."""
        return self._leaves[index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def pages(self, stop: int | None = None) -> Iterator[list[VerifiedEntry]]:
        """The entries from index 0 up to ``stop`` (default: all), read again, in pages.

        Raises:
            LogChanged: An entry is not the one verified at its index.
        """
        stop = self.size if stop is None else min(stop, self.size)
        position = 0
        for page in self.source.pages(stop):
            verified = []
            for item in page:
                at = position * HASH_SIZE
                if (
                    item.index != position
                    or item.entry is None
                    or leaf_hash(item.entry) != self._leaves[at : at + HASH_SIZE]
                ):
                    raise LogChanged(
                        f"entry {position} of {self.source.description} is not the one that"
                        " verified a moment ago: the log changed while it was read"
                    )
                envelope = item.envelope if item.envelope is not None else orjson.loads(item.entry)
                verified.append(VerifiedEntry(position, item.notification_id, envelope, item.entry))
                position += 1
            yield verified
        if position < stop:
            raise LogChanged(
                f"{self.source.description} ended after {position} of the {stop} entries"
                " that verified a moment ago: the log changed while it was read"
            )


def verify_for_use(
    source: LogSource,
    *,
    key: Verifier | None,
    on_entry: OnEntry | None = None,
    sample: int = 16,
) -> VerifiedLog:
    """Verify ``source`` entirely, or refuse it.

    Args:
        source: The log.
        key: The verifier key to trust; the source's own when None (the report says so).
        on_entry: Told of each entry as it is checked (what it learns stands only if
            this returns).
        sample: Random inclusion proofs to check where the source serves proofs.

    Raises:
        LogNotVerified: Something does not verify (or an entry came without its event).
    """
    report = verify_log(source, key=key, on_entry=on_entry, sample=sample)
    if report.ok and report.hidden:
        withheld = f"{report.hidden} entries were given without their event: nothing to replay"
        report.failures.append(Failure(None, withheld))
    if not report.ok:
        raise LogNotVerified(report)
    return VerifiedLog(source, report)
