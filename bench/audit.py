"""Benchmark: the tamper-evident log, beside plain SHA-256 of the same bytes, same run.

Per store (SQLite always; PostgreSQL when COORDINATION_TEST_DATABASE_URL is set, as
`infra/throwaway_postgres.py -- ...` sets it):

- integration: events/s from the event table to a signed checkpoint (`Integrator.run_once`
  over events bulk-inserted through the library's recorder), beside SHA-256 of the same
  entry bytes;
- proofs at the full size: inclusion and consistency proof latency from the stored tree
  (p50 and p99 of random proofs), and inclusion proofs over HTTP (real uvicorn), beside
  the same proofs from an in-memory tree (the feed runs in a process of its own);
- verify: `verify_log` of every entry from an export bundle (offline) and from the node
  over HTTP, beside SHA-256 of the same entry bytes;
- replay: `replay` from an export bundle and from the node's verified log, beside
  replay from the event table (`bench/audit_replay.py`);
- the self-audit (`audit_self.py`): its full pass, and `bench/append.py`'s mix with the
  pass running and without it, alternated.

Writes bench/results/audit.json and prints a table. The log size is a parameter,
`--integration-only` stops after the integration figures (a quick run while tuning),
`--replay-only` measures the replays alone (written to bench/results/audit-replay.json),
and `--self-audit-only` the self-audit after integration and nothing else (written to
bench/results/audit-self.json):

    python infra/throwaway_postgres.py --durable -- python bench/audit.py --entries 1000000
    python infra/throwaway_postgres.py --durable -- python bench/audit.py \
        --entries 200000 --integration-only
    python infra/throwaway_postgres.py --durable -- python bench/audit.py \
        --entries 200000 --replay-only
    python infra/throwaway_postgres.py --durable -- python bench/audit.py \
        --entries 1000000 --self-audit-only
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit_replay import measure_replay  # noqa: E402
from audit_self import measure_self_audit  # noqa: E402
from common import fresh_url  # noqa: E402
from common import row as result_row  # noqa: E402

from coordination.audit.bundle_source import BundleSource  # noqa: E402
from coordination.audit.export import export_bundle  # noqa: E402
from coordination.audit.integrator import Integrator  # noqa: E402
from coordination.audit.storage import open_storage  # noqa: E402
from coordination.audit.stored import MemoryHashStore  # noqa: E402
from coordination.audit.verify import verify_log  # noqa: E402
from coordination.audit.verify_sources import NodeSource  # noqa: E402
from coordination.bootstrap import System, bootstrap  # noqa: E402
from coordination.runtime import tune_garbage_collection  # noqa: E402
from coordination.settings import Settings  # noqa: E402
from tests.audit.support import ORIGIN, LogNode, fill_events, node_signer  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "audit.json"
REPLAY_RESULTS = ROOT / "bench" / "results" / "audit-replay.json"
#: The rows of a `--self-audit-only` run (a full run has them in `RESULTS` too).
SELF_AUDIT_RESULTS = ROOT / "bench" / "results" / "audit-self.json"
PROOFS = 2000
HTTP_PROOFS = 300


def row(name: str, value: float, unit: str, baseline_name: str, baseline: float) -> dict[str, Any]:
    """Audit figures are small (ms of proofs): keep four decimals."""
    return result_row(name, value, unit, baseline_name, baseline, digits=4)


def latencies_ms(calls: list[Callable[[], object]]) -> tuple[float, float]:
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.99 * (len(timings) - 1))]


@contextlib.contextmanager
def served(database_url: str, tmp: Path) -> Iterator[str]:
    """The node's feed in a process of its own (as deployed), on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", database_url, str(port), str(tmp)]
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert server.poll() is None, "the feed server stopped"
            assert time.monotonic() < deadline, "the feed server did not start"
            try:
                httpx.get(f"{url}/federation/v1/key", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.05)  # polling a condition with a deadline
        yield url
    finally:
        server.terminate()
        server.wait(30)


def serve_feed(database_url: str, port: int, data_dir: Path) -> None:
    """Run the feed of the log at ``database_url`` (the ``--serve`` mode of this script)."""
    import uvicorn
    from fastapi import FastAPI

    from coordination.audit.log import open_audit_log
    from coordination.federation.router import feed_router

    system = bootstrap(Settings(database_url=database_url, data_dir=data_dir, origin=ORIGIN))
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=node_signer().verifier
    )
    app = FastAPI()
    app.include_router(feed_router(lambda: log))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def step(label: str) -> None:
    print(f"  {label} ...", file=sys.stderr, flush=True)


def measure(
    backend: str,
    entries: int,
    server: str | None,
    tmp: Path,
    *,
    integration_only: bool = False,
    self_audit_only: bool = False,
) -> list[dict[str, Any]]:
    system: System = bootstrap(
        Settings(database_url=fresh_url(backend, server, tmp, "audit"), data_dir=tmp, origin=ORIGIN)
    )
    print(f"{backend}: {entries} entries", file=sys.stderr)
    step("filling the event table")
    fill_events(system.app, entries, per_stream=1000, batch=2000)

    step("integrating")
    integrator = Integrator(
        system.app,
        open_storage(system.target, system.app),
        node_signer(),
        origin=system.settings.origin,
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu_started = time.perf_counter(), time.process_time()
    integrator.run_once()
    integration_s = time.perf_counter() - started
    integration_cpu_s = time.process_time() - cpu_started
    # The encoding worker's CPU counts too: stopped (and reaped), it is in the children's.
    integrator.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    integration_cpu_s += (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    label = f"({backend}, {entries} entries)"
    if self_audit_only:
        rows = measure_self_audit(
            system, integrator.storage, node_signer().verifier, tmp, label, entries / integration_s
        )
        integrator.storage.close()
        system.close()
        return rows
    integrator.storage.close()

    node = LogNode(system)
    log = node.log
    checkpoint = log.latest_checkpoint()
    assert checkpoint is not None
    assert checkpoint.size == entries
    step("hashing the same bytes")
    stored = [e for start in range(0, entries, 10_000) for e in log.entries(start, start + 10_000)]
    started = time.perf_counter()
    leaves = [hashlib.sha256(b"\x00" + e.entry).digest() for e in stored]
    sha_s = time.perf_counter() - started
    del stored
    rows = [
        row(
            f"integration {label}",
            entries / integration_s,
            "events/s",
            "SHA-256 of the entry bytes",
            entries / sha_s,
        ),
        # The same run per second of CPU of this process and its encoding worker (the
        # database server's excluded): what the work costs, whatever the machine's load.
        row(
            f"integration per CPU second {label}",
            entries / integration_cpu_s,
            "events/s",
            "SHA-256 of the entry bytes",
            entries / sha_s,
        ),
    ]
    if integration_only:
        node.close()
        system.close()
        return rows

    step("proofs")
    memory = MemoryHashStore()
    memory.append(leaves)
    del leaves
    chooser = random.Random(1)
    indexes = [chooser.randrange(entries) for _ in range(PROOFS)]
    sizes = [chooser.randrange(1, entries) for _ in range(PROOFS)]
    from coordination.audit.stored import prove_consistency, prove_inclusion

    ours = latencies_ms([lambda i=i: log.inclusion_proof(i, entries) for i in indexes])
    base = latencies_ms([lambda i=i: prove_inclusion(i, entries, memory.read) for i in indexes])
    rows.append(row(f"inclusion proof p50 {label}", ours[0], "ms", "in-memory tree p50", base[0]))
    rows.append(row(f"inclusion proof p99 {label}", ours[1], "ms", "in-memory tree p99", base[1]))
    ours = latencies_ms([lambda m=m: log.consistency_proof(m, entries) for m in sizes])
    base = latencies_ms([lambda m=m: prove_consistency(m, entries, memory.read) for m in sizes])
    rows.append(row(f"consistency proof p50 {label}", ours[0], "ms", "in-memory tree p50", base[0]))
    rows.append(row(f"consistency proof p99 {label}", ours[1], "ms", "in-memory tree p99", base[1]))

    with (
        served(system.settings.effective_database_url, tmp) as url,
        httpx.Client(base_url=url) as client,
    ):
        calls = [
            lambda i=i: client.get(
                "/federation/v1/proof/inclusion", params={"index": i, "size": entries}
            ).raise_for_status()
            for i in indexes[:HTTP_PROOFS]
        ]
        over_http = latencies_ms(calls)
        health = latencies_ms(
            [lambda: client.get("/federation/v1/key") for _ in range(HTTP_PROOFS)]
        )
        rows.append(
            row(
                f"inclusion proof over HTTP p50 {label}",
                over_http[0],
                "ms",
                "GET /key over HTTP p50",
                health[0],
            )
        )

        step("verifying over HTTP")
        started = time.perf_counter()
        report = verify_log(NodeSource(url), key=node_signer().verifier)
        assert report.ok, report.failures
        rows.append(
            row(
                f"verify over HTTP {label}",
                time.perf_counter() - started,
                "s",
                "SHA-256 of the entry bytes",
                sha_s,
            )
        )

    step("exporting")
    bundle = tmp / f"bundle-{backend}"
    started = time.perf_counter()
    export_bundle(log, bundle)
    export_s = time.perf_counter() - started
    step("verifying the bundle")
    started = time.perf_counter()
    report = verify_log(BundleSource(bundle), key=node_signer().verifier)
    assert report.ok, report.failures
    rows.append(
        row(
            f"verify bundle {label}",
            time.perf_counter() - started,
            "s",
            "SHA-256 of the entry bytes",
            sha_s,
        )
    )
    rows.append(row(f"export {label}", export_s, "s", "SHA-256 of the entry bytes", sha_s))
    node.close()
    # Last: the mix's writes grow the event table, which the figures above do not expect.
    storage = open_storage(system.target, system.app)
    rows += measure_self_audit(
        system, storage, node_signer().verifier, tmp, label, entries / integration_s
    )
    storage.close()
    system.close()
    return rows


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve_feed(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="log size")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--integration-only", action="store_true", help="stop after the integration figures"
    )
    parser.add_argument("--replay-only", action="store_true", help="only the replay figures")
    parser.add_argument(
        "--self-audit-only", action="store_true", help="the self-audit after integration, only"
    )
    args = parser.parse_args()
    # As every command of the node does (a replay is one).
    tune_garbage_collection()
    server = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not server:
        print("COORDINATION_TEST_DATABASE_URL unset: PostgreSQL skipped", file=sys.stderr)
        backends.remove("postgres")
    results: list[dict[str, Any]] = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            rows = []
            if not args.replay_only:
                rows = measure(
                    backend,
                    args.entries,
                    server,
                    Path(tmp),
                    integration_only=args.integration_only,
                    self_audit_only=args.self_audit_only,
                )
            if not (args.integration_only or args.self_audit_only):
                url = fresh_url(backend, server, Path(tmp), "replay")
                rows += measure_replay(url, args.entries, Path(tmp), backend)
        results.extend(rows)
        for r in rows:
            print(
                f"{r['name']:<58} {r['value']:>12.3f} {r['unit']:<9} "
                f"{r['baseline_name']}: {r['baseline_value']:.3f} (ratio {r['ratio']})"
            )
    if args.integration_only:
        return 0  # a partial run must not replace the full results
    written = (
        REPLAY_RESULTS
        if args.replay_only
        else SELF_AUDIT_RESULTS
        if args.self_audit_only
        else RESULTS
    )
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
