"""A node's integrator in a process of its own, for the SIGKILL test.

Usage: python -m tests.audit.integrator_child <database url> <data dir> <stop at batch>

It leads, integrates in batches of 200, and in the middle of batch ``stop at batch`` (its
entries and hashes written, the transaction not committed) prints IN_BATCH and blocks, so
the test can kill it there with SIGKILL.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from coordination.audit.integrator import Integrator
from coordination.audit.storage import open_storage
from coordination.bootstrap import bootstrap
from coordination.settings import Settings
from tests.audit.support import ORIGIN, node_signer


def main() -> None:
    url, data_dir, stop_at = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    system = bootstrap(Settings(database_url=url, data_dir=data_dir, origin=ORIGIN, env="test"))
    batches = 0

    def fault(step: str) -> None:
        nonlocal batches
        if step == "hashes":
            batches += 1
            if batches == stop_at:
                print("IN_BATCH", flush=True)
                sys.stdin.read()  # blocks until killed

    integrator = Integrator(
        system.app,
        open_storage(system.target, system.app),
        node_signer(),
        origin=system.settings.origin,
        batch_size=200,
        fault=fault,
    )
    print("STARTED", flush=True)
    integrator.run_forever(threading.Event())


if __name__ == "__main__":
    main()
