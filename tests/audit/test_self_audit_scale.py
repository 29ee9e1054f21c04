"""An untouched node of 100 000 events raises no alarm in a full pass of its self-audit.

On PostgreSQL only: building and integrating the log takes about 20 s and the pass about
6 s there; SQLite's pass runs the same code (`test_self_audit.py` covers it on both).
"""

from __future__ import annotations

import time
from pathlib import Path

from coordination.audit.auditor import Auditor
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.integrator import Integrator
from coordination.audit.integrity import IntegrityAlarm
from coordination.audit.self_audit import SelfAudit
from coordination.audit.storage import open_storage
from coordination.bootstrap import bootstrap
from coordination.settings import Settings
from coordination_demo.synthetic import generate
from tests.audit.support import ORIGIN, node_signer

EVENTS = 100_000
DEADLINE_S = 300.0


def test_an_untouched_log_of_100_000_events_passes_without_an_alarm(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    system = bootstrap(Settings(database_url=postgres_schema_url, data_dir=tmp_path, origin=ORIGIN))
    storage = open_storage(system.target, system.app)
    try:
        generate(system.app, EVENTS)
        Integrator(system.app, storage, node_signer(), origin=ORIGIN).run_once()
        size = storage.position().size
        assert size >= EVENTS
        alarm = IntegrityAlarm(tmp_path / "keys")
        encoder = EntryEncoder(system.app.mapper, ORIGIN)
        audit = SelfAudit(storage, encoder, [node_signer().verifier])
        auditor = Auditor(audit, alarm, share=1.0, pass_gap=3600)
        auditor.start()
        try:
            deadline = time.monotonic() + DEADLINE_S
            while auditor.last_pass is None:
                assert time.monotonic() < deadline, "no full pass within the deadline"
                time.sleep(0.1)  # polling a condition with a deadline
        finally:
            auditor.stop()
        assert auditor.last_pass.entries == size
        assert auditor.last_pass.findings == 0
        assert alarm.current().ok
        assert alarm.current().last_full_pass == auditor.last_pass
    finally:
        storage.close()
        system.close()
