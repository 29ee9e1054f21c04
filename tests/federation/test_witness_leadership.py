"""Gathering cosignatures runs in one process of a node at a time (decision 47): of two
gatherers over the same store (two read databases, as two processes have), one holds the
lock and gathers; when it stops, the other takes over. On both backends."""

from __future__ import annotations

from coordination.audit.keys import load_or_create_signer
from coordination.audit.log import open_audit_log
from coordination.bootstrap import System
from coordination.federation.witness_gathering import STANDBY_S, WitnessGathering
from coordination.persistence.readdb import ReadDatabase

from .support import until


async def test_one_gatherer_leads_and_a_standby_takes_over(system: System) -> None:
    signer = load_or_create_signer(system.settings)
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=signer.verifier
    )
    dbs = [await ReadDatabase.open(system.target) for _ in range(2)]
    first, second = (WitnessGathering(system.app, log, db) for db in dbs)
    try:
        first.start()
        await until(lambda: first.is_active)
        second.start()
        assert first.is_active
        assert not second.is_active
        await first.stop()
        await until(lambda: second.is_active, timeout=4 * STANDBY_S)
        assert not first.is_active
    finally:
        await first.stop()
        await second.stop()
        for db in dbs:
            await db.close()
        log.close()
