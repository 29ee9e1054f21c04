"""An exclusive, non-blocking file lock: which process on this machine leads (SQLite).

The operating system frees an ``flock`` when its holder's process ends, however it ends,
so a standby takes over from a killed leader without any clean-up.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def try_lock(path: Path) -> int | None:
    """A descriptor holding an exclusive lock on `path`; None while another holds it.

    Close the descriptor (or `flock` it with ``LOCK_UN``) to let go.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
