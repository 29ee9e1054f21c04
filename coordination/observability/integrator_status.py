"""The status file of the integrator process `serve` supervises (decision 18).

`serve`'s supervisor writes it whenever its child starts or ends; every API process reads
it for `/metrics`, since with several workers the supervisor is none of them. Its format
lives here, between its one writer and its readers.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from coordination.private_files import write_private

#: The supervisor's status file, in the node's data directory.
STATUS_FILE = "integrator-process.json"


@dataclass(frozen=True)
class SupervisedStatus:
    """How the supervised integrator is doing, as its supervisor last wrote it.

    Attributes:
        pid: The running child's process id; None once the supervisor stopped it.
        restarts: How many times the child was started again after it ended.
        last_exit_code: How the last child that ended did (negative: the signal that
            ended it); None while none has ended.
    """

    pid: int | None
    restarts: int
    last_exit_code: int | None = None

    @property
    def running(self) -> bool:
        """Whether the child is running now (a supervisor killed outright leaves its last
        status behind, and the child's lifeline then ends the child)."""
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # it exists, under another user
        return True


def read_status(path: Path) -> SupervisedStatus | None:
    """The status in `path`; None when there is none, or none that can be read."""
    try:
        data = json.loads(path.read_text())
        return SupervisedStatus(
            pid=None if data["pid"] is None else int(data["pid"]),
            restarts=int(data["restarts"]),
            last_exit_code=None if data["last_exit_code"] is None else int(data["last_exit_code"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_status(path: Path, status: SupervisedStatus) -> None:
    """Replace the status in `path` at once: readers see the old status or the new one.

    Raises:
        OSError: The file cannot be written.
    """
    written = path.with_name(f".{path.name}.{os.getpid()}")
    write_private(written, json.dumps(asdict(status)).encode())
    os.replace(written, path)
