"""The self-audit's part of `bench/audit.py` (decision 35), over a log already integrated:

- the full pass at full speed (what `coordination integrity resolve` runs): entries/s,
  beside the same run's integration of the same log (the pass reads the events and
  encodes them again as integration does, and reads the entries and the tree besides),
  and per CPU second of this process;
- the write path's cost of the pass as the node runs it (paced to `auditor.SHARE` of the
  time, in a thread of the writing process: the SQLite node's case, and more than a
  PostgreSQL node pays, whose auditor runs in the integrator's own process): commands/s
  of `bench/append.py`'s mix with the pass running and without it, in one run. After a
  warm-up round that is not counted, the rounds go in pairs, one with the pass and one
  without, in alternating order (without, with; with, without; ...), and the cost is the
  median of the pairs' ratios: a machine whose speed moves between rounds (a shared one)
  moves both rounds of a pair alike.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from append import CoordinationWorkload, run_clients
from common import row

from coordination.audit.auditor import SHARE, Auditor, full_pass
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.integrity import IntegrityAlarm
from coordination.audit.note import Verifier
from coordination.audit.self_audit import SelfAudit
from coordination.audit.storage import LogStorage
from coordination.bootstrap import System

#: Commands per client and clients of each write round (2 000 commands each).
CLIENTS = 4
PER_CLIENT = 500
#: Pairs of rounds, one with the pass and one without.
PAIRS = 6
#: Whether each round runs the pass: the pairs in alternating order.
ROUNDS = tuple(auditing for pair in range(PAIRS) for auditing in ((pair % 2 == 1), (pair % 2 == 0)))
#: The most the pass may cost the write path (issue 19).
TARGET_COST = 0.10


def _step(label: str) -> None:
    print(f"  {label} ...", file=sys.stderr, flush=True)


def measure_self_audit(
    system: System,
    storage: LogStorage,
    verifier: Verifier,
    tmp: Path,
    label: str,
    integration_rate: float,
) -> list[dict[str, Any]]:
    """The self-audit's rows for `bench/audit.py`, over the log in ``storage``.

    Args:
        system: The node whose log ``storage`` holds.
        storage: The integrated log.
        verifier: The key its checkpoints are signed with.
        tmp: A directory for the benchmark's integrity state.
        label: The backend and size, for the rows' names.
        integration_rate: Events/s of the same run's integration of this log.
    """
    audit = SelfAudit(storage, EntryEncoder(system.app.mapper, system.settings.origin), [verifier])
    _step("the self-audit's full pass")
    started, cpu = time.perf_counter(), time.process_time()
    summary, findings = full_pass(audit)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert findings == [], findings[:3]
    entries = summary.entries
    print(
        f"  the full pass: {seconds:.1f} s; paced to {SHARE:.0%} of the time,"
        f" about {seconds / SHARE:.0f} s",
        file=sys.stderr,
    )
    rows = [
        row(
            f"self-audit full pass {label}",
            entries / seconds,
            "entries/s",
            "integration of the same log, events/s",
            integration_rate,
        ),
        row(
            f"self-audit full pass per CPU second {label}",
            entries / cpu,
            "entries/s",
            "the same pass per second of wall time",
            entries / seconds,
        ),
    ]

    _step("the append mix without the pass and with it, alternated")
    workload = CoordinationWorkload(system.app, CLIENTS)
    alarm = IntegrityAlarm(tmp / "bench-keys")
    without: list[float] = []
    during: list[float] = []
    busy: list[float] = []
    for round_, auditing in enumerate((False, *ROUNDS)):
        auditor = Auditor(audit, alarm) if auditing else None

        def op(client: int, k: int, base: int = round_ * PER_CLIENT) -> None:
            workload.op(client, base + k)  # fresh idempotency keys every round

        if auditor is not None:
            auditor.start()
        began = time.perf_counter()
        throughput = run_clients(CLIENTS, PER_CLIENT, op)["throughput"]
        if auditor is not None:
            busy.append(auditor.busy_seconds / (time.perf_counter() - began))
            auditor.stop()
        kind = "with the pass" if auditing else "without it"
        print(f"  round {round_}, {kind}: {throughput:.0f} commands/s", file=sys.stderr)
        if round_ == 0:
            continue  # the warm-up
        (during if auditing else without).append(throughput)
    assert alarm.current().ok
    base, loaded = statistics.median(without), statistics.median(during)
    cost = 1 - statistics.median(w / n for w, n in zip(during, without, strict=True))
    rows.append(
        row(
            f"commands/s during the paced pass ({CLIENTS} clients) {label}",
            loaded,
            "commands/s",
            "the same mix without it",
            base,
        )
    )
    rows.append(
        row(
            f"the pass's cost to the write path (median of {PAIRS} pairs) {label}",
            cost,
            "share",
            "the target, at most",
            TARGET_COST,
        )
    )
    rows.append(
        row(
            f"the pass's busy share of the time during the writes {label}",
            statistics.median(busy),
            "share",
            "the share it keeps to",
            SHARE,
        )
    )
    return rows
