"""The integrator's session on SQLite: leadership by a file lock beside the database.

The operating system releases an ``flock`` when its holder dies, so another process takes
over; there is no notification channel, so the integrator polls for new events.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from coordination.persistence.file_lock import try_lock


class FileLockSession:
    """Leadership by an exclusive ``flock`` on ``lock_path``, and polling for events.

    Args:
        lock_path: The lock file, beside the database file.
        poll_interval: Seconds between looks for new events (SQLite cannot notify).
    """

    def __init__(self, lock_path: Path, poll_interval: float) -> None:
        self._lock_path, self._poll_interval = lock_path, poll_interval
        self._fd: int | None = None

    def try_lead(self) -> bool:
        """Take the lock, or keep it; False while another process holds it."""
        if self._fd is not None:
            return True
        self._fd = try_lock(self._lock_path)
        return self._fd is not None

    def wait_for_events(self, timeout: float, stop: threading.Event) -> None:
        """Wait one poll interval (or less, for ``timeout`` or ``stop``)."""
        stop.wait(min(timeout, self._poll_interval))

    def close(self) -> None:
        """Release the lock."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
