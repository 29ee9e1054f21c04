"""Exactly once across crashes of the syncing node: `coordination sync --once` killed with
SIGKILL in the middle of a peer's pages, then run again, ends with every entry stored once
and the checkpoint recorded witnessed once; and a crash between storing the last page and
recording the checkpoint witnessed ends with it recorded once on the next step."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from coordination.audit.keys import load_or_create_signer
from coordination.audit.storage import open_storage
from coordination.bootstrap import bootstrap
from coordination.domain.peer_log import peer_log_id
from coordination.federation.peer_client import Peer, PeerAnswerError, PeerClient
from coordination.federation.synced_logs import SyncedLogs
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.processes import alive

from .sync_support import introduce, node_settings, running, served_checkpoint, until


def sync_command(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": str(settings.database_url),
        "COORDINATION_DATA_DIR": str(settings.data_dir),
        "COORDINATION_ORIGIN": settings.origin,
        "COORDINATION_ENV": "test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "coordination", "sync", "--once", "--page-size", "3"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def test_a_sync_killed_mid_page_ends_exactly_once(tmp_path: Path) -> None:
    a = node_settings(tmp_path, "a")
    b = node_settings(tmp_path, "b", feed_rate=100_000.0, feed_burst=1_000_000)
    system_a = bootstrap(a)
    storage = open_storage(system_a.target, system_a.app)
    logs = SyncedLogs(storage)
    try:
        with running(b) as (_, url_b, system_b):
            introduce(system_a, [(b, url_b)])
            introduce(system_b, [(a, "http://127.0.0.1:9")])
            load_demo(system_b.app, origin=b.origin)
            events = system_b.app.recorder.max_notification_id() or 0

            async def ready() -> bool:
                if (await served_checkpoint(url_b)).size < events:
                    return False
                async with httpx.AsyncClient() as client:
                    reader = PeerClient(Peer(b.origin, url_b), load_or_create_signer(a), client)
                    try:
                        await reader.page(0, 1)  # B's registry now knows A's key
                    except PeerAnswerError:
                        return False
                return True

            await until(ready, "the peer signs its log and knows our key")
            head = await served_checkpoint(url_b)

            first = sync_command(a)
            deadline = time.monotonic() + 60
            while logs.verified_size(b.origin) < head.size // 3:
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "the sync made no progress"
                time.sleep(0.005)  # polling a condition with a deadline
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
            assert not alive(first.pid)
            stopped_at = logs.verified_size(b.origin)
            assert 0 < stopped_at < head.size

            second = sync_command(a)
            out, err = second.communicate(timeout=120)
            assert second.returncode == 0, (out, err)
            assert b"recorded it witnessed" in out
        indexes = [e.index for e in logs.entries(b.origin, 0, 100_000)]
        assert indexes == list(range(head.size))
        witnessed = [
            e.size
            for e in system_a.app.events.get(peer_log_id(b.origin))
            if type(e).__name__ == "CheckpointWitnessed"
        ]
        assert witnessed == [head.size]
    finally:
        storage.close()
        system_a.close()
