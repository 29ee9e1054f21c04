"""The integrator as a process of its own: `coordination integrate --follow` beside a node
whose API processes do not integrate (`COORDINATION_INTEGRATE=false`)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from coordination.api import create_app
from coordination.audit.storage import open_storage
from coordination.bootstrap import System, bootstrap
from coordination.settings import Settings
from tests.asgi import serving
from tests.audit.support import fill_events
from tests.e2e.test_cli_and_serve import BIN, coordination

ORIGIN = "test.example/coordination/log"


def log_size(system: System) -> tuple[int, int]:
    """Events integrated, and the size of the latest signed checkpoint."""
    storage = open_storage(system)
    try:
        storage.create_tables()  # as the integrator does; it may not have started yet
        checkpoint = storage.latest_checkpoint()
        return storage.position().size, checkpoint.size if checkpoint else -1
    finally:
        storage.close()


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)  # polling a condition with a deadline


def test_integrate_follow_integrates_as_events_arrive_and_stops_on_sigterm(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_ORIGIN": ORIGIN,
    }
    for step in (["migrate"], ["keys", "init"]):
        done = coordination(*step, env=env)
        assert done.returncode == 0, done.stderr
    system = bootstrap(Settings(database_url=database_url, data_dir=tmp_path, origin=ORIGIN))
    follower = subprocess.Popen(
        [str(BIN / "coordination"), "integrate", "--follow"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fill_events(system.app, 30)
        wait_for(lambda: log_size(system) == (30, 30))
        fill_events(system.app, 12)  # while it runs
        wait_for(lambda: log_size(system) == (42, 42))
        assert follower.poll() is None
        follower.send_signal(signal.SIGTERM)
        _, err = follower.communicate(timeout=30)
    finally:
        if follower.poll() is None:
            follower.kill()
        system.close()
    assert follower.returncode == 0, err
    assert "integrated 42 events; the log has 42 entries, signed" in " ".join(err.split())


async def test_a_node_told_not_to_integrate_starts_no_integrator(
    settings: Settings, system: System
) -> None:
    for integrate, started in [(False, False), (True, True)]:
        app = create_app(settings.model_copy(update={"integrate": integrate}), system=system)
        async with serving(app) as client:
            assert (await client.get("/health")).status_code == 200
            audit = app.state.audit
            # The log is served either way; only the integrating thread differs.
            assert audit.log is not None
            assert (audit.integrator._thread is not None) is started
