"""The browser of the browser tests: Debian's Chromium, installed when missing.

Playwright's own browser download is not used (a machine that reaches only the package
registries cannot fetch it); the system's Chromium is driven instead. As with the test
database server (`infra/throwaway_postgres.py`), a root Debian machine without it gets
Debian's package; anywhere else the error says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: Headless, and nothing of its own on the network: no QUIC, no updates, no sync.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ChromiumUnavailable(RuntimeError):
    """No Chromium could be found or installed; the message says what to do."""


def find_chromium() -> str | None:
    """The system Chromium's path, or None."""
    return next((path for path in CANDIDATES if os.access(path, os.X_OK)), None)


def ensure_chromium() -> str:
    """The system Chromium's path, installing Debian's package when that is possible."""
    found = find_chromium()
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Chromium not found: installing Debian's chromium package", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
            check=False,
            env=env,
        )
        found = find_chromium()
        if found:
            return found
    raise ChromiumUnavailable(
        "The browser tests need Chromium at /usr/bin/chromium. Install it (Debian/Ubuntu: "
        "apt-get install chromium) and run the tests again."
    )
