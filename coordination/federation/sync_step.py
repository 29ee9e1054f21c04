"""One sync step of a peer (FEED-PROTOCOL §6), decision 45.

1. Fetch the peer's checkpoint and verify it with the key the node's own registry holds
   valid now for that partner (none, or a signature that fails: `key_refused`).
2. Check it extends the last verified checkpoint (a consistency proof); if it does not,
   the peer rewrote history: record `PeerHistoryConflict`, stop syncing it (`conflict`),
   keep everything stored.
3. Fetch pages from the cursor; recompute each visible entry's leaf hash from its JCS
   bytes; extend the compact range of ``[0, cursor)`` by the page's leaf hashes and check
   the extended tree against the checkpoint (equal roots at its size, or a consistency
   proof from the page's end to its size). A page that does not verify is refused whole.
4. Store the page and move the cursor in one transaction (`SyncedLogs.store_page`).
5. At the checkpoint's size, record `PeerCheckpointWitnessed` once (the stream says
   whether it was, so a crash between storing and recording ends recorded once), unless
   all that is new since the last one recorded are the peer's own records of other logs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

import orjson
from starlette.concurrency import run_in_threadpool

from coordination.audit._encoding import b64encode
from coordination.audit.canonical import canonical_json
from coordination.audit.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from coordination.audit.compact_range import CompactRange
from coordination.audit.merkle import leaf_hash, verify_consistency
from coordination.audit.note import MalformedNoteError, NoteError, Verifier

from .peer_client import PageEntry, PeerAnswerError, PeerClient
from .synced_logs import (
    BACKING_OFF,
    CONFLICT,
    KEY_REFUSED,
    UP_TO_DATE,
    PeerState,
    SyncedEntry,
    SyncedLogs,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_LIMIT = 1000
#: Entries read at a time when looking for news since the last witnessed checkpoint.
WITNESS_SCAN = 500
#: The type prefix of what nodes record of each other's logs (`domain.peer_log`).
PEER_RECORDS = "coordination.peer."


class PeerRecords(Protocol):
    """What the sync asks of the node's own log and registry (the composition root
    implements it over the application)."""

    def key_now(self, origin: str) -> Verifier | None:
        """The partner's log key valid now in the node's registry, if any."""

    def witnessed_size(self, origin: str) -> int:
        """The largest checkpoint size of ``origin`` recorded as witnessed (-1: none)."""

    def witness(self, origin: str, checkpoint: Checkpoint, note: str) -> None:
        """Record PeerCheckpointWitnessed (once per size)."""

    def conflict(
        self, origin: str, verified: PeerState, found: Checkpoint, note: str, why: str
    ) -> None:
        """Record PeerHistoryConflict (once per conflicting checkpoint)."""


class SyncRefused(Exception):
    """The step stopped: ``state`` is what the peer is marked, ``reason`` says why."""

    def __init__(self, state: str, reason: str) -> None:
        super().__init__(reason)
        self.state, self.reason = state, reason


@dataclass(frozen=True)
class SyncReport:
    """What one step did for a peer: its state, checkpoint and cursor after it, the
    entries it stored, whether it recorded the checkpoint witnessed, and why it stopped."""

    origin: str
    state: str
    size: int
    cursor: int
    stored: int
    witnessed: bool
    error: str | None = None


class PeerSync:
    """Sync steps over the node's synced logs and records.

    Args:
        logs: The synced-log store.
        records: The node's own log and registry.
        page_limit: Entries asked per page (the protocol allows at most 1000).
    """

    def __init__(
        self, logs: SyncedLogs, records: PeerRecords, page_limit: int = PAGE_LIMIT
    ) -> None:
        self.logs = logs
        self.records = records
        self.page_limit = page_limit

    async def sync_once(self, client: PeerClient) -> SyncReport:
        """One step for the client's peer; never raises for what the peer did."""
        origin = client.peer.origin
        before = await run_in_threadpool(self.logs.state, origin)
        if before is not None and before.state == CONFLICT:
            return _report(before, 0, False, before.last_error)
        stored, witnessed = 0, False
        try:
            witnessed = await self._settle(before)
            state = await self._verify_checkpoint(client, before)
            stored = await self._pages(client, state)
            reached = await run_in_threadpool(self.logs.state, origin)
            witnessed = await self._settle(reached) or witnessed
            if reached is not None and reached.cursor == reached.size:
                await run_in_threadpool(self.logs.mark, origin, UP_TO_DATE)
        except SyncRefused as refused:
            await run_in_threadpool(self.logs.mark, origin, refused.state, refused.reason)
            if refused.state == CONFLICT:
                log.error("ALARM: peer %s rewrote its history: %s", origin, refused.reason)
            else:
                log.warning("syncing %s: %s", origin, refused.reason)
        after = await run_in_threadpool(self.logs.state, origin)
        assert after is not None
        return _report(after, stored, witnessed, after.last_error)

    async def _settle(self, state: PeerState | None) -> bool:
        """Record the checkpoint witnessed when every entry of it is stored and it was not
        recorded yet (a crash may have come between the two)."""
        if state is None or not state.checkpoint_note or state.cursor != state.size:
            return False
        recorded = await run_in_threadpool(self.records.witnessed_size, state.origin)
        if recorded >= state.size:
            return False
        news = partial(self._news_since, state.origin, max(recorded, 0), state.size)
        if recorded >= 0 and not await run_in_threadpool(news):
            return False
        checkpoint = Checkpoint(state.origin, state.size, state.root)
        await run_in_threadpool(
            self.records.witness, state.origin, checkpoint, state.checkpoint_note
        )
        return True

    def _news_since(self, origin: str, start: int, stop: int) -> bool:
        """Whether entries ``[start, stop)`` hold more than the peer's own records of other
        logs: witnessing only those would answer each witness record with another, from
        node to node, for ever (decision 45)."""
        while start < stop:
            page = self.logs.entries(origin, start, min(WITNESS_SCAN, stop - start))
            if not page:
                return True
            for entry in page:
                kind = orjson.loads(entry.envelope).get("type") if entry.envelope else None
                if not isinstance(kind, str) or not kind.startswith(PEER_RECORDS):
                    return True
            start = page[-1].index + 1
        return False

    async def _verify_checkpoint(self, client: PeerClient, before: PeerState | None) -> PeerState:
        origin = client.peer.origin
        key = await run_in_threadpool(self.records.key_now, origin)
        if key is None:
            raise SyncRefused(KEY_REFUSED, f"no key of {origin} is valid now in the registry")
        note = await _asked(client.checkpoint())
        try:
            checkpoint = open_checkpoint(note, key, origin=origin)
        except (MalformedNoteError, CheckpointError) as error:
            raise SyncRefused(BACKING_OFF, f"its checkpoint is malformed: {error}") from None
        except NoteError as error:
            raise SyncRefused(KEY_REFUSED, f"its checkpoint does not verify: {error}") from None
        if before is not None and before.checkpoint_note:
            problem = await self._inconsistency(client, before, checkpoint)
            if problem is not None:
                await run_in_threadpool(
                    self.records.conflict, origin, before, checkpoint, note, problem
                )
                raise SyncRefused(CONFLICT, problem)
        return await run_in_threadpool(
            self.logs.verified_checkpoint, origin, checkpoint.size, checkpoint.root_hash, note
        )

    async def _inconsistency(
        self, client: PeerClient, before: PeerState, found: Checkpoint
    ) -> str | None:
        """Why ``found`` is not one history with the verified checkpoint, or None."""
        old, new = before.size, found.size
        if old == new:
            same = found.root_hash == before.root
            return None if same else f"its checkpoint of size {new} has another root than verified"
        small, large = (old, new) if old < new else (new, old)
        roots = (before.root, found.root_hash) if old < new else (found.root_hash, before.root)
        proof = await _asked(client.consistency_proof(small, large))
        if verify_consistency(small, large, roots[0], roots[1], proof):
            return None
        return f"its checkpoint of size {new} is not consistent with the one of size {old} verified"

    async def _pages(self, client: PeerClient, state: PeerState) -> int:
        stored = 0
        while state.cursor < state.size:
            limit = min(self.page_limit, state.size - state.cursor)
            page = await _asked(client.page(state.cursor, limit))
            entries, ids, after = await self._verify_page(client, state, page)
            subjects = [None if item.event is None else _subject(item.event) for item in page]
            stored_page = partial(self.logs.store_page, subjects=subjects)
            if await run_in_threadpool(stored_page, state.origin, entries, ids, after):
                stored += len(entries)
            kept = await run_in_threadpool(self.logs.state, state.origin)
            assert kept is not None
            state = kept
        return stored

    async def _verify_page(
        self, client: PeerClient, state: PeerState, page: list[PageEntry]
    ) -> tuple[list[SyncedEntry], list[str | None], CompactRange]:
        origin = client.peer.origin
        entries: list[SyncedEntry] = []
        ids: list[str | None] = []
        for item in page:
            envelope, event_id = _content(item, origin)
            entries.append(SyncedEntry(origin, item.index, item.leaf_hash, envelope))
            ids.append(event_id)
        after = state.compact.extended(e.leaf_hash for e in entries)
        if after.size == state.size:
            verified = after.root() == state.root
        else:
            proof = await _asked(client.consistency_proof(after.size, state.size))
            verified = verify_consistency(after.size, state.size, after.root(), state.root, proof)
        if not verified:
            raise SyncRefused(
                BACKING_OFF,
                f"the page of entries {state.cursor} to {after.size - 1} does not verify"
                f" against its checkpoint of size {state.size}: refused whole",
            )
        return entries, ids, after


def _content(item: PageEntry, origin: str) -> tuple[bytes | None, str | None]:
    """An entry's JCS bytes and event id, checked against its leaf hash."""
    if item.event is None:
        return None, None
    try:
        envelope = canonical_json(item.event)
    except ValueError as error:
        raise SyncRefused(BACKING_OFF, f"entry {item.index} is not JCS-able: {error}") from None
    if leaf_hash(envelope) != item.leaf_hash:
        raise SyncRefused(
            BACKING_OFF,
            f"entry {item.index}: its bytes do not hash to its leaf hash"
            f" {b64encode(item.leaf_hash)}: the page is refused whole",
        )
    event_id = item.event.get("id")
    source = item.event.get("source")
    if not isinstance(event_id, str) or source != origin:
        raise SyncRefused(BACKING_OFF, f"entry {item.index} has no event id or another source")
    return envelope, event_id


def _subject(event: Mapping[str, Any]) -> str | None:
    """An envelope's subject (its stream id), when it has a text one."""
    subject = event.get("subject")
    return subject if isinstance(subject, str) else None


async def _asked(answer: Awaitable[T]) -> T:
    try:
        return await answer
    except PeerAnswerError as error:
        raise SyncRefused(BACKING_OFF, str(error)) from None


def _report(state: PeerState, stored: int, witnessed: bool, error: str | None) -> SyncReport:
    return SyncReport(state.origin, state.state, state.size, state.cursor, stored, witnessed, error)
