"""`infra/throwaway_postgres.py` cleans up after itself when it is told to stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _load_throwaway_module
from tests.processes import alive

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "throwaway_postgres.py"
#: The command run with the server: writes its URL to a file, then waits to be stopped.
WAITS = (
    "import os, sys, time\n"
    "open(sys.argv[1], 'w').write(os.environ['COORDINATION_TEST_DATABASE_URL'])\n"
    "time.sleep(600)\n"
)


def server_of(port: int) -> tuple[int, Path]:
    """The postmaster listening on `port`: its pid and data directory."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if (
            argv[0].endswith("/postgres")
            and "-p" in argv
            and argv[argv.index("-p") + 1] == str(port)
        ):
            return int(entry.name), Path(argv[argv.index("-D") + 1])
    raise AssertionError(f"no server on port {port}")


@pytest.mark.skipif(
    _load_throwaway_module().find_bindir() is None,
    reason="no PostgreSQL server binaries here (the suite uses a configured server)",
)
def test_sigterm_stops_the_command_the_server_and_deletes_its_directory(tmp_path: Path) -> None:
    url_file = tmp_path / "url"
    script = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--", sys.executable, "-c", WAITS, str(url_file)],
        stderr=subprocess.DEVNULL,
    )
    pid, data = 0, None
    try:
        deadline = time.monotonic() + 60
        while not (url_file.exists() and url_file.read_text()):
            assert script.poll() is None, "the script ended before its command started"
            assert time.monotonic() < deadline, "the server did not start in time"
            time.sleep(0.05)  # polling a condition with a deadline
        port = int(url_file.read_text().rsplit(":", 1)[1].split("/")[0])
        pid, data = server_of(port)
        assert alive(pid)
        assert data.is_dir()
        script.send_signal(signal.SIGTERM)
        assert script.wait(timeout=60) == 128 + signal.SIGTERM
        assert not alive(pid)
        assert not data.exists()
    finally:
        if script.poll() is None:
            script.kill()
        if pid and alive(pid):  # what the script should have stopped: not left behind here
            os.kill(pid, signal.SIGKILL)
        if data is not None:
            shutil.rmtree(data.parent, ignore_errors=True)
