"""The joint groups of every node, merged from verified log entries only (issue 20 item 5).

A joint group lives in several logs: its lead's (the group, the joint decision) and each
member's (its own position). This view is therefore not fed by the projector, which reads
this node's event store, but by verified logs: the node's own, up to its latest signed
checkpoint, and each partner's synced log, up to the checkpoint verified for it. Each log
is a `LogSource`; the composition root hands the view the node's current ones.

The entries about joint groups are kept as their envelopes, by origin and index, with a
cursor per origin, in the read database; never one that seals a personal datum. A
reader first brings the view up to date (`catch_up`, idempotent: entries are keyed by
origin and index and a cursor only moves forward, so processes doing it at once store
nothing twice), then reads it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from anyio import to_thread

from coordination.domain.joint_group import JointGroup, JointPosition
from coordination.persistence.readdb import ReadDatabase, Row
from coordination.privacy.sealed_fields import sealed_subjects

#: Entries read from one log per step.
PAGE = 1000
#: The types of the entries this view keeps (topic prefixes of the two streams).
JOINT_TYPES = (f"{JointGroup.TOPIC}.", f"{JointPosition.TOPIC}.")

_CREATE = (
    "CREATE TABLE IF NOT EXISTS joint_view_cursors (origin TEXT PRIMARY KEY,"
    " next_index BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS joint_view_entries (origin TEXT NOT NULL, idx BIGINT NOT NULL,"
    " type TEXT NOT NULL, event_id TEXT NOT NULL, subject TEXT NOT NULL,"
    " leaf_hash TEXT NOT NULL, envelope TEXT NOT NULL,"
    " PRIMARY KEY (origin, idx))",
)


class LogSource(Protocol):
    """One verified log: the node's own, or a partner's as synced."""

    @property
    def origin(self) -> str:
        """The log's origin."""
        ...

    def verified(self, start: int, limit: int) -> list[tuple[int, bytes, bytes | None]]:
        """Up to `limit` entries from index `start` on, below the log's verified (or
        signed) checkpoint, in index order: index, leaf hash, entry bytes (None for a
        stub this node may not see)."""
        ...


@dataclass(frozen=True)
class JointEntry:
    """A verified entry about a joint group, as the view keeps it."""

    origin: str
    index: int
    type: str
    event_id: str
    subject: str
    leaf_hash: str
    envelope: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        data = self.envelope.get("data")
        return data if isinstance(data, dict) else {}


class JointView:
    """The merged joint-group entries of every verified log.

    Args:
        db: The read database.
        sources: The node's verified logs, asked at each catch-up (partners come and go).
    """

    def __init__(self, db: ReadDatabase, sources: Callable[[], Sequence[LogSource]]) -> None:
        self.db, self._sources = db, sources
        self._lock = asyncio.Lock()
        self._ready = False

    async def catch_up(self) -> None:
        """Bring the view up to every source's verified entries."""
        async with self._lock:
            await self._create()
            for source in await to_thread.run_sync(self._sources):
                await self._follow(source)

    async def entries(self) -> list[JointEntry]:
        """Every kept entry, by origin and index (call `catch_up` first)."""
        await self._create()
        rows = await self.db.fetch(
            "SELECT origin, idx, type, event_id, subject, leaf_hash, envelope"
            " FROM joint_view_entries ORDER BY origin, idx"
        )
        return [_entry(row) for row in rows]

    async def _follow(self, source: LogSource) -> None:
        origin = source.origin
        start = int(
            await self.db.fetchval(
                "SELECT next_index FROM joint_view_cursors WHERE origin = $1", origin
            )
            or 0
        )
        while True:
            page = await to_thread.run_sync(source.verified, start, PAGE)
            if not page:
                return
            kept = [row for row in (_kept(origin, *entry) for entry in page) if row is not None]
            after = page[-1][0] + 1
            async with self.db.transaction() as tx:
                await tx.executemany(
                    "INSERT INTO joint_view_entries (origin, idx, type, event_id, subject,"
                    " leaf_hash, envelope) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    " ON CONFLICT (origin, idx) DO NOTHING",
                    kept,
                )
                await tx.execute(
                    "INSERT INTO joint_view_cursors (origin, next_index) VALUES ($1, $2)"
                    " ON CONFLICT (origin) DO UPDATE SET next_index = excluded.next_index"
                    " WHERE joint_view_cursors.next_index < excluded.next_index",
                    origin,
                    after,
                )
            if len(page) < PAGE:
                return
            start = after

    async def _create(self) -> None:
        if self._ready:
            return
        for statement, table in zip(
            _CREATE, ("joint_view_cursors", "joint_view_entries"), strict=True
        ):
            try:
                await self.db.execute(statement)
            except Exception:
                # Another process created it at the same moment; if not, this raises.
                await self.db.fetch(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608
        self._ready = True


def _kept(origin: str, index: int, leaf: bytes, body: bytes | None) -> tuple[Any, ...] | None:
    """The row of an entry about a joint group; None for any other entry and for a stub."""
    if body is None:
        return None
    try:
        envelope = json.loads(body)
    except ValueError:
        return None
    if not isinstance(envelope, dict) or envelope.get("source") != origin:
        return None
    kind = str(envelope.get("type", ""))
    if not kind.startswith(JOINT_TYPES):
        return None
    if sealed_subjects(envelope.get("data")):
        # Never kept: a partner's erasure drops the entry from its synced log, and this
        # copy, in another database, would outlive it (decision 46). No joint-group
        # event has a personal field.
        return None
    return (
        origin,
        index,
        kind,
        str(envelope.get("id", "")),
        str(envelope.get("subject", "")),
        leaf.hex(),
        body.decode("utf-8"),
    )


def _entry(row: Row) -> JointEntry:
    return JointEntry(
        origin=row["origin"],
        index=int(row["idx"]),
        type=row["type"],
        event_id=row["event_id"],
        subject=row["subject"],
        leaf_hash=row["leaf_hash"],
        envelope=json.loads(row["envelope"]),
    )
