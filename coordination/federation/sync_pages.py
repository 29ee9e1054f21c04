"""A peer's pages as the sync step fetches and verifies them (decision 45, step 3).

A page's consistency proof (from the page's end to the checkpoint's size) is asked for
beside the page itself, and the next page beside the storing of this one: the checks are
those of a page fetched alone, only the round trips overlap. Each visible entry's leaf
hash is recomputed from its JCS bytes; the compact range of ``[0, cursor)`` extended by
the page's leaf hashes must make the checkpoint's root at its size, or a prefix of its
tree (the proof). A page that does not verify is refused whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from coordination.audit._encoding import b64encode
from coordination.audit.canonical import canonical_json
from coordination.audit.compact_range import CompactRange
from coordination.audit.merkle import leaf_hash, verify_consistency

from .peer_client import PageEntry, PeerAnswerError, PeerClient
from .synced_logs import BACKING_OFF, PeerState, SyncedEntry

T = TypeVar("T")


class SyncRefused(Exception):
    """The step stopped: ``state`` is what the peer is marked, ``reason`` says why."""

    def __init__(self, state: str, reason: str) -> None:
        super().__init__(reason)
        self.state, self.reason = state, reason


@dataclass(frozen=True)
class FetchedPage:
    """A page as served from ``start`` while the checkpoint had ``size`` entries, with
    the consistency proof from ``proof_from`` to ``size`` (None: none was asked for)."""

    start: int
    size: int
    entries: list[PageEntry]
    proof_from: int
    proof: list[bytes] | None


@dataclass(frozen=True)
class VerifiedPage:
    """A page that verified, as `SyncedLogs.store_page` takes it."""

    entries: list[SyncedEntry]
    event_ids: list[str | None]
    subjects: list[str | None]
    after: CompactRange


async def fetch_page(client: PeerClient, start: int, size: int, limit: int) -> FetchedPage:
    """The page from ``start`` (at most ``limit`` entries, none beyond ``size``) and, when
    it stops short of ``size``, the consistency proof from its end, asked for together."""
    count = min(limit, size - start)
    end = start + count
    if end == size:
        return FetchedPage(start, size, await asked(client.page(start, count)), end, None)
    entries, proof = await asyncio.gather(
        asked(client.page(start, count)), asked(client.consistency_proof(end, size))
    )
    return FetchedPage(start, size, entries, end, proof)


async def verified_page(client: PeerClient, state: PeerState, page: FetchedPage) -> VerifiedPage:
    """The page checked against ``state``'s checkpoint (from whose cursor it was fetched).

    Raises:
        SyncRefused: An entry does not hash to its leaf hash or is not the peer's, or the
            page's leaves do not make a prefix of the checkpoint's tree.
    """
    origin = client.peer.origin
    entries: list[SyncedEntry] = []
    ids: list[str | None] = []
    subjects: list[str | None] = []
    for item in page.entries:
        envelope, event_id, subject = _content(item, origin)
        entries.append(SyncedEntry(origin, item.index, item.leaf_hash, envelope))
        ids.append(event_id)
        subjects.append(subject)
    after = state.compact.extended(e.leaf_hash for e in entries)
    if after.size == state.size:
        verified = after.root() == state.root
    else:
        proof = page.proof
        if proof is None or (page.proof_from, page.size) != (after.size, state.size):
            # A shorter page than asked for, or a checkpoint moved on since it was asked.
            proof = await asked(client.consistency_proof(after.size, state.size))
        verified = verify_consistency(after.size, state.size, after.root(), state.root, proof)
    if not verified:
        raise SyncRefused(
            BACKING_OFF,
            f"the page of entries {state.cursor} to {after.size - 1} does not verify"
            f" against its checkpoint of size {state.size}: refused whole",
        )
    return VerifiedPage(entries, ids, subjects, after)


def _content(item: PageEntry, origin: str) -> tuple[bytes | None, str | None, str | None]:
    """An entry's JCS bytes, event id and subject, checked against its leaf hash."""
    if item.event is None:
        return None, None, None
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
    return envelope, event_id, _subject(item.event)


def _subject(event: Mapping[str, Any]) -> str | None:
    """An envelope's subject (its stream id), when it has a text one."""
    subject = event.get("subject")
    return subject if isinstance(subject, str) else None


async def asked(answer: Awaitable[T]) -> T:
    """The peer's answer; a refusal to back off from when it has none."""
    try:
        return await answer
    except PeerAnswerError as error:
        raise SyncRefused(BACKING_OFF, str(error)) from None
