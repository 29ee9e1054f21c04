"""Gathering cosignatures in the background (FEED-PROTOCOL §7): soon after the node signs
a new checkpoint, every admitted partner with a base URL and a witness key registered in
the node's own log is asked to cosign it (``gather_once``), at most once a second.
Witnesses that did not cosign the latest checkpoint (down, slow, refusing) are asked
again every ``RETRY_S`` seconds while it stays the latest.

One process of the node gathers: the one holding the lock (`projections.leadership`: a
PostgreSQL session advisory lock, or a file lock beside the SQLite file); the others
stand by and take over when it dies, as the projector's standbys do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Protocol

from starlette.concurrency import run_in_threadpool

from coordination.audit.cosignature import CosignatureVerifier
from coordination.audit.log import AuditLog
from coordination.audit.note import NoteError
from coordination.domain.cooperation import CooperationAgreement
from coordination.domain.errors import NotFound
from coordination.persistence.readdb import Handle, ReadDatabase
from coordination.projections.leadership import leadership_for

from .witness_gather import WitnessTarget, gather_once

log = logging.getLogger(__name__)

#: At most one gathering a second (§7); a checkpoint signed meanwhile waits for the next.
MIN_INTERVAL_S = 1.0
#: How often witnesses that did not cosign the latest checkpoint are asked again.
RETRY_S = 10.0
#: How often a standby tries to take the lock, and the pause after a failure.
STANDBY_S = 2.0


class Agreements(Protocol):
    def cooperation_agreement(self) -> CooperationAgreement: ...


def witness_targets(
    agreement: CooperationAgreement, at: datetime
) -> tuple[list[WitnessTarget], list[str]]:
    """The partners to ask: admitted, with a witness key valid at ``at``; and the origins
    of the admitted partners left out (no witness key registered and valid)."""
    targets, skipped = [], []
    for origin, partner in sorted(agreement.partners.items()):
        key = next((k for k in agreement.witness_keys_of(origin) if k.valid_at(at)), None)
        try:
            verifier = CosignatureVerifier.from_vkey(key.vkey) if key is not None else None
        except NoteError:
            verifier = None  # the domain checked its form; a name the note format refuses
        if verifier is None:
            skipped.append(origin)
        else:
            targets.append(WitnessTarget(origin, partner.base_url, verifier))
    return targets, skipped


async def current_targets(app: Agreements) -> tuple[list[WitnessTarget], list[str]]:
    """``witness_targets`` of the node's agreement now (none before it is signed)."""
    try:
        agreement = await run_in_threadpool(app.cooperation_agreement)
    except NotFound:
        return [], []
    return witness_targets(agreement, datetime.now(UTC))


class WitnessGathering:
    """The background task of ``serve`` (and of ``coordination witness gather``).

    Args:
        app: Gives the node's cooperation agreement (its partners and their keys).
        audit: The node's log.
        db: The read database, whose lock says which process gathers.
    """

    def __init__(self, app: Agreements, audit: AuditLog, db: ReadDatabase) -> None:
        self._app, self._audit, self._db = app, audit, db
        self._leadership = leadership_for(db, "witness-gathering")
        self._task: asyncio.Task[None] | None = None
        self._skipped: set[str] = set()
        #: Whether this process holds the lock and gathers.
        self.is_active = False

    def start(self) -> None:
        """Run in the background until ``stop``."""
        self._task = asyncio.create_task(self._run(), name="witness-gathering")

    async def stop(self) -> None:
        """Stop gathering and give up the lock."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                async with self._db.dedicated() as connection:
                    await self._lead(connection)
            except Exception:
                log.exception("witness gathering failed; trying again in %.0f s", STANDBY_S)
            await asyncio.sleep(STANDBY_S)

    async def _lead(self, connection: Handle) -> None:
        while not await self._leadership.try_acquire(connection):
            await asyncio.sleep(STANDBY_S)
        self.is_active = True
        try:
            await self._gather_forever()
        finally:
            self.is_active = False
            await self._leadership.release(connection)

    async def _gather_forever(self) -> None:
        loop, asked = asyncio.get_running_loop(), -1
        while True:
            started = loop.time()
            asked = await self.gather_missing()
            await asyncio.sleep(max(0.0, started + MIN_INTERVAL_S - loop.time()))
            await self._audit.notifier.wait_beyond(asked, RETRY_S)

    async def gather_missing(self) -> int:
        """Ask the witnesses that have not cosigned the latest checkpoint; its size (-1
        before the first)."""
        head = await run_in_threadpool(self._audit.latest_checkpoint)
        if head is None:
            return -1
        targets, skipped = await current_targets(self._app)
        for origin in sorted(set(skipped) - self._skipped):
            log.warning("partner %s has no witness key registered: not asked to cosign", origin)
        self._skipped = set(skipped)
        held = await run_in_threadpool(self._audit.witness_store.cosignatures, head.size)
        have = {(c.witness, c.key_id) for c in held}
        missing = [t for t in targets if (t.key.name, t.key.key_id) not in have]
        if missing:
            await gather_once(self._audit, missing)  # it logs every witness that refused
        return head.size
