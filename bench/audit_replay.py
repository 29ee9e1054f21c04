"""Replay from an exported bundle beside replay from the event table (`bench/audit.py`).

A synthetic log (`coordination_demo.synthetic`: decisions, actions, workshops and their
follow-ups), integrated and signed once per 10 000 entries as a node does while it runs,
exported as a bundle. Then, each into a fresh SQLite store with every view built over it
to the log's last entry:

- from the event table: the node's stored events copied in notification order, then
  every view built, which is what `replay --as-of` did before it read the verified log;
- from the bundle: every entry verified against the signed checkpoint (`verify`'s checks
  of a bundle), read again and back into its event, stored, then every view built
  (`replay --bundle DIR --as-of`), each phase timed;
- from the node's verified log (`replay --as-of` now): the same from its database.

Each runs `ROUNDS` times, the order reversed every other round; its fastest run counts,
and beside it the least CPU time of the process (SQLite's work included, a PostgreSQL
server's not), which other work on a shared machine moves less than the wall time.
Target: replay from the verified log within 1.5x of replay from the event table.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import row

from coordination.audit.bundle_source import BundleSource
from coordination.audit.export import CHECKPOINT_SPACING, export_bundle
from coordination.audit.integrator import Integrator
from coordination.audit.log import open_audit_log
from coordination.audit.replay import AsOf, CutOffFinder, copy_verified
from coordination.audit.storage import open_storage
from coordination.audit.storage_source import StorageSource
from coordination.audit.verified import verify_for_use
from coordination.audit.verify_sources import LogSource
from coordination.bootstrap import System, bootstrap
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import ensure_schema
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings
from coordination_demo.synthetic import generate
from tests.audit.support import ORIGIN, node_signer

#: Copied per insert, as the replay of the event table did.
CHUNK = 1000
#: Each replay is run this often, alternating the order; its fastest run counts (the
#: machine is shared, and a run's neighbours move its time more than the code does).
ROUNDS = 2
#: One replay into a fresh store at the path given: the seconds of each phase ("all": all).
Run = Callable[[Path], dict[str, float]]


def step(label: str) -> None:
    print(f"  {label} ...", file=sys.stderr, flush=True)


def _integrate_and_sign(system: System, spacing: int) -> int:
    """Integrate the log, signing a checkpoint every ``spacing`` entries; its size."""
    storage = open_storage(system.target, system.app)
    integrator = Integrator(
        system.app, storage, node_signer(), origin=ORIGIN, batch_size=spacing // 5
    )
    signed = 0
    try:
        while integrator.integrate(until=0.0):  # one batch at a time (it is past), then sign
            size = storage.position().size
            if size // spacing > signed // spacing:
                integrator.sign_if_needed()
                signed = size
        integrator.sign_if_needed()
        return storage.position().size
    finally:
        integrator.close()
        storage.close()


def replay_database(settings: Settings, into: Path) -> System:
    """A fresh SQLite event store (as `bootstrap.replay`'s, whose module this script cannot
    import: its directory's `graphql.py` stands for the package of that name here)."""
    return bootstrap(settings.model_copy(update={"database_url": f"sqlite:///{into}"}))


async def build_views(target: System) -> None:
    """Every view built over ``target``'s events, to its head (as a replay builds them)."""
    db = await ReadDatabase.open(target.target)
    try:
        await ensure_schema(db, ALL_VIEWS)
        await ProjectionRunner(db, target.app).catch_up()
    finally:
        await db.close()


def _from_table(source: System, into: Path) -> dict[str, float]:
    """Seconds to copy the stored events into a fresh store and build every view."""
    started, cpu = time.perf_counter(), time.process_time()
    target = replay_database(source.settings, into)
    try:
        start = 1
        while batch := source.app.recorder.select_notifications(start=start, limit=CHUNK):
            target.app.recorder.insert_events(list(batch))
            start = batch[-1].id + 1
        asyncio.run(build_views(target))
    finally:
        target.close()
    return {"all": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def _from_log(log: LogSource, settings: Settings, into: Path, last: int) -> dict[str, float]:
    """Seconds of each phase of a replay of ``log`` up to entry ``last``."""
    seconds: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    finder = CutOffFinder(AsOf(index=last))
    verified = verify_for_use(log, key=node_signer().verifier, on_entry=finder)
    seconds["verify"] = time.perf_counter() - started
    target = replay_database(settings, into)
    try:
        mark = time.perf_counter()
        copy_verified(verified, target.app, finder.cut_off(verified.size)[0])
        seconds["read back and store"] = time.perf_counter() - mark
        mark = time.perf_counter()
        asyncio.run(build_views(target))
        seconds["views"] = time.perf_counter() - mark
    finally:
        target.close()
    seconds["all"], seconds["cpu"] = time.perf_counter() - started, time.process_time() - cpu
    return seconds


def _from_node(system: System, settings: Settings, into: Path, last: int) -> dict[str, float]:
    """Seconds of each phase of a replay of the node's own log up to entry ``last``."""
    storage = open_storage(system.target, system.app)
    try:
        source = StorageSource(storage, node_signer().verifier.vkey)
        return _from_log(source, settings, into, last)
    finally:
        storage.close()


def _best_of_rounds(runs: dict[str, Run], tmp: Path) -> dict[str, dict[str, float]]:
    """Each replay's fastest of `ROUNDS` (the order reversed every other round) with its
    phases, and the least CPU time of any of its rounds."""
    best: dict[str, dict[str, float]] = {}
    order = list(runs)
    for number in range(ROUNDS):
        for name in order if number % 2 == 0 else order[::-1]:
            step(f"replay from {name} (round {number + 1} of {ROUNDS})")
            into = tmp / f"replay-{number}.db"
            seconds = runs[name](into)
            for made in tmp.glob(f"{into.name}*"):  # and its -wal and -shm files
                made.unlink()
            kept = best.setdefault(name, seconds)
            least_cpu = min(kept["cpu"], seconds["cpu"])
            if seconds["all"] < kept["all"]:
                kept = best[name] = seconds
            kept["cpu"] = least_cpu
    return best


def measure_replay(url: str, entries: int, tmp: Path, label: str) -> list[dict[str, Any]]:
    """The replay rows of one store (see the module docstring)."""
    settings = Settings(database_url=url, data_dir=tmp, origin=ORIGIN)
    system = bootstrap(settings)
    try:
        step(f"writing a synthetic log of {entries} events")
        generate(system.app, entries)
        step(f"integrating, a checkpoint every {CHECKPOINT_SPACING} entries")
        size = _integrate_and_sign(system, CHECKPOINT_SPACING)
        step("exporting")
        log = open_audit_log(
            system.target, system.app, origin=ORIGIN, verifier=node_signer().verifier
        )
        bundle = tmp / f"replay-bundle-{label}"
        try:
            export_bundle(log, bundle)
        finally:
            log.close()
        last = size - 1
        best = _best_of_rounds(
            {
                "the event table": lambda into: _from_table(system, into),
                "the bundle": lambda into: _from_log(BundleSource(bundle), settings, into, last),
                "the node's verified log": lambda into: _from_node(system, settings, into, last),
            },
            tmp,
        )
    finally:
        system.close()
    what = f"({label}, {size} entries)"
    table, from_bundle = best["the event table"], best["the bundle"]
    sources = {"a bundle": from_bundle, "the node's verified log": best["the node's verified log"]}
    rows = []
    for measure, prefix in (("all", ""), ("cpu", "CPU time of ")):
        base = f"{prefix}replay from the event table {what}"
        for source, seconds in sources.items():
            rows.append(
                row(
                    f"{prefix}replay from {source} {what}",
                    seconds[measure],
                    "s",
                    base,
                    table[measure],
                )
            )
    base = f"replay from the event table {what}"
    for phase in ("verify", "read back and store", "views"):
        rows.append(
            row(f"  of which {phase} (bundle) {what}", from_bundle[phase], "s", base, table["all"])
        )
    return rows
