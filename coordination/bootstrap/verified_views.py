"""The views' commands over the verified log: what `rebuild` and `check-replay` read.

`verified_reading` verifies the node's log against its latest signed checkpoint (every
entry, the root, the stored tree: `coordination verify`'s checks), refusing it where it
breaks, and hands the projector a reader of the verified log up to that checkpoint and
of the event table beyond it (`audit.verified_reader`). A node whose log has no signed
checkpoint yet has nothing to verify: its views are read from the event table, and
`VerifiedReading.verified` is None.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anyio import to_thread

from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.merkle import leaf_hash
from coordination.audit.storage import LogStorage, open_storage
from coordination.audit.storage_source import StorageSource
from coordination.audit.table_check import Disagreement, compare_table
from coordination.audit.verified import LogChanged, VerifiedLog, verify_for_use
from coordination.audit.verified_reader import VerifiedThenTable
from coordination.persistence.event_log import EventLog, EventReader, events_table
from coordination.projections.view import UNREAD_METADATA

if TYPE_CHECKING:
    from coordination.audit.note import Verifier
    from coordination.bootstrap import System
    from coordination.persistence.readdb import ReadDatabase


class NoVerifierKey(RuntimeError):
    """The log has signed checkpoints but no key was given to verify them with."""


@dataclass
class VerifiedReading:
    """The projector's reader, and what it reads.

    Attributes:
        reader: The verified log up to `boundary`, the event table beyond.
        verified: The verified log; None when the log has no checkpoint yet.
        boundary: The notification id of the last entry the checkpoint signs (0: none).
        storage: The node's log storage (closed when the reading ends).
    """

    reader: EventReader
    verified: VerifiedLog | None
    boundary: int
    storage: LogStorage

    def describe(self) -> str:
        """What the views are built from, in a sentence."""
        if self.verified is None:
            return "the log has no signed checkpoint yet: the views are read from the event table"
        return (
            f"the views are read from the signed log up to its checkpoint of"
            f" {self.verified.size} entries (every entry verified), then from the event"
            f" table after notification id {self.boundary}"
        )

    async def table_disagreements(self, system: System) -> list[Disagreement]:
        """Where the event table and the verified log disagree (none without a log)."""
        verified = self.verified
        if verified is None:
            return []
        encoder = EntryEncoder(system.app.mapper, verified.report.origin)
        return await to_thread.run_sync(compare_table, verified, self.storage, encoder)


@contextlib.asynccontextmanager
async def verified_reading(
    system: System, db: ReadDatabase, verifier: Verifier | None
) -> AsyncIterator[VerifiedReading]:
    """The node's log verified, as the projector's reader (see the module docstring).

    Raises:
        NoVerifierKey: The log has checkpoints, and ``verifier`` is None.
        LogNotVerified: The log does not verify; the message names where it breaks.
    """
    storage = open_storage(system.target, system.app)
    try:
        await to_thread.run_sync(storage.create_tables)
        table = EventLog(db, events_table(system.app))
        if await to_thread.run_sync(storage.latest_checkpoint) is None:
            yield VerifiedReading(table, None, 0, storage)
            return
        if verifier is None:
            raise NoVerifierKey(
                "the views are built from the signed log, and no key was given to verify it"
                " with: give the node's verifier key with --key"
            )
        source = StorageSource(storage, verifier.vkey)
        verified = await to_thread.run_sync(lambda: verify_for_use(source, key=verifier))
        boundary = await to_thread.run_sync(_boundary, storage, verified)
        reader = VerifiedThenTable(verified, boundary, table, omit=UNREAD_METADATA)
        yield VerifiedReading(reader, verified, boundary, storage)
    finally:
        storage.close()


def _boundary(storage: LogStorage, verified: VerifiedLog) -> int:
    """The notification id of the last entry ``verified`` covers, 0 if none."""
    last = verified.size - 1
    if last < 0:
        return 0
    found = storage.entries(last, last + 1)
    if not found or leaf_hash(found[0].entry) != verified.leaf(last):
        raise LogChanged(f"entry {last} is not the one that verified a moment ago")
    return found[0].notification_id
