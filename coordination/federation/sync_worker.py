"""The sync worker: a background task of `serve` that follows every admitted partner, one
task per peer, in one process of the node at a time (decision 45).

The process holding the sync's lock (`sync_leadership`) runs it; the others stand by and
take over when it dies. Each peer is synced on its own schedule: once up to date, the
next step waits on the peer's head page (``Prefer: wait``, a long poll that answers as
soon as the peer signs new entries); a failed step is retried after a capped exponential
backoff with jitter, so a peer that is down costs a request now and then, and peers that
came back do not all ask at once. A peer in conflict is not asked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from anyio import to_thread

from coordination.audit.note import Signer

from .peer_client import Peer, PeerAnswerError, PeerClient
from .sync_leadership import Leadership
from .sync_step import PeerSync

log = logging.getLogger(__name__)

#: How often the list of admitted partners is read again, and a standby tries to lead.
PEERS_EVERY_S = 5.0
BACKOFF_FIRST_S = 0.5


@dataclass(frozen=True)
class SyncSchedule:
    """When peers are asked.

    Attributes:
        wait_s: The long poll on an up-to-date peer's head page (at most 25).
        backoff_max_s: The longest pause after failures.
        timeout_s: The longest wait for one answer of a peer.
    """

    wait_s: int = 25
    backoff_max_s: float = 300.0
    timeout_s: float = 30.0

    def backoff(self, failures: int) -> float:
        """The pause after ``failures`` failed steps in a row: exponential, capped, with
        jitter (half of it random)."""
        ceiling = min(self.backoff_max_s, BACKOFF_FIRST_S * 2 ** min(failures - 1, 30))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - spreading, not secrecy


class SyncWorker:
    """Follows every admitted partner while this process leads the sync.

    Args:
        sync: The sync step.
        peers: The admitted partners with a base URL (a synchronous read of the registry).
        signer: The node's log key, signing every request.
        leadership: The sync's lock.
        schedule: When peers are asked.
    """

    def __init__(
        self,
        sync: PeerSync,
        peers: Callable[[], list[Peer]],
        signer: Signer,
        leadership: Leadership,
        schedule: SyncSchedule,
    ) -> None:
        self._sync, self._peers, self._signer = sync, peers, signer
        self._leadership, self._schedule = leadership, schedule
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start following (on the running event loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="peer-sync")

    async def stop(self) -> None:
        """Stop every peer's task and let go of the lock."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await to_thread.run_sync(self._leadership.close)

    async def _run(self) -> None:
        while not await to_thread.run_sync(self._leadership.try_lead):
            await asyncio.sleep(PEERS_EVERY_S)
        log.info("this process syncs the node's peers")
        followed: dict[Peer, asyncio.Task[None]] = {}
        timeout = httpx.Timeout(self._schedule.timeout_s + self._schedule.wait_s)
        async with httpx.AsyncClient(timeout=timeout) as client:
            try:
                while True:
                    try:
                        wanted = set(await to_thread.run_sync(self._peers))
                    except Exception as error:  # the store may be down a moment
                        log.warning("cannot read the partners to sync: %s", error)
                        wanted = set(followed)
                    for gone in set(followed) - wanted:
                        followed.pop(gone).cancel()
                    for peer in wanted - set(followed):
                        followed[peer] = asyncio.create_task(self._follow(peer, client))
                    await asyncio.sleep(PEERS_EVERY_S)
            finally:
                for task in followed.values():
                    task.cancel()
                await asyncio.gather(*followed.values(), return_exceptions=True)

    async def _follow(self, peer: Peer, client: httpx.AsyncClient) -> None:
        reader = PeerClient(peer, self._signer, client)
        failures = 0
        while True:
            try:
                report = await self._sync.sync_once(reader)
            except Exception:  # our own store failing: retried like a peer that is down
                log.exception("syncing %s failed", peer.origin)
                report = None
            if report is not None and report.error is None:
                failures = 0
                try:
                    await reader.wait_for_more(report.size, self._schedule.wait_s)
                except PeerAnswerError:
                    failures = 1
            else:
                failures += 1
            if failures:
                await asyncio.sleep(self._schedule.backoff(failures))
