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
   (`sync_pages`: a page's proof is asked for beside it, the next page while one is stored.)
4. Store the page and move the cursor in one transaction (`SyncedLogs.store_page`).
5. At the checkpoint's size, record `PeerCheckpointWitnessed` once (the stream says
   whether it was, so a crash between storing and recording ends recorded once), unless
   all that is new since the last one recorded are the peer's own records of other logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import orjson
from starlette.concurrency import run_in_threadpool

from coordination.audit.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from coordination.audit.merkle import verify_consistency
from coordination.audit.note import MalformedNoteError, NoteError, Verifier

from .peer_client import PeerClient
from .sync_pages import FetchedPage, SyncRefused, asked, fetch_page, verified_page
from .synced_logs import (
    BACKING_OFF,
    CONFLICT,
    KEY_REFUSED,
    UP_TO_DATE,
    PeerState,
    SyncedLogs,
)

log = logging.getLogger(__name__)

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
        note = await asked(client.checkpoint())
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
        proof = await asked(client.consistency_proof(small, large))
        if verify_consistency(small, large, roots[0], roots[1], proof):
            return None
        return f"its checkpoint of size {new} is not consistent with the one of size {old} verified"

    async def _pages(self, client: PeerClient, state: PeerState) -> int:
        stored = 0
        ahead: asyncio.Task[FetchedPage] | None = None
        try:
            while state.cursor < state.size:
                fetched = None if ahead is None else await ahead
                if fetched is None or (fetched.start, fetched.size) != (state.cursor, state.size):
                    fetched = await fetch_page(client, state.cursor, state.size, self.page_limit)
                # The next page travels while this one is verified and stored.
                end = fetched.start + len(fetched.entries)
                ahead = None
                if end < state.size:
                    ahead = asyncio.create_task(
                        fetch_page(client, end, state.size, self.page_limit)
                    )
                page = await verified_page(client, state, fetched)
                store = partial(self.logs.store_page, subjects=page.subjects)
                if await run_in_threadpool(
                    store, state.origin, page.entries, page.event_ids, page.after
                ):
                    stored += len(page.entries)
                kept = await run_in_threadpool(self.logs.state, state.origin)
                assert kept is not None
                state = kept
        finally:
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, SyncRefused):
                    await ahead
        return stored


def _report(state: PeerState, stored: int, witnessed: bool, error: str | None) -> SyncReport:
    return SyncReport(state.origin, state.state, state.size, state.cursor, stored, witnessed, error)
