"""A node's integrator in a process of its own, killed between a checkpoint's commit and
the keys directory keeping it.

Usage: python -m tests.audit.signing_child <database url> <data dir>

It integrates what is recorded and signs, keeping the last checkpoint in the node's keys
directory, and sends itself SIGKILL at the step ``checkpoint_committed``: the checkpoint's
transaction has committed, the file is not written yet.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from coordination.audit.integrator import Integrator
from coordination.audit.last_checkpoint import node_last_checkpoint
from coordination.audit.storage import open_storage
from coordination.bootstrap import bootstrap
from coordination.settings import Settings
from tests.audit.support import ORIGIN, node_signer


def main() -> None:
    url, data_dir = sys.argv[1], Path(sys.argv[2])
    settings = Settings(database_url=url, data_dir=data_dir, origin=ORIGIN, env="test")
    system = bootstrap(settings)

    def fault(step: str) -> None:
        if step == "checkpoint_committed":
            os.kill(os.getpid(), signal.SIGKILL)

    Integrator(
        system.app,
        open_storage(system.target, system.app),
        node_signer(),
        origin=ORIGIN,
        fault=fault,
        last_checkpoint=node_last_checkpoint(settings),
    ).run_once()


if __name__ == "__main__":
    main()
