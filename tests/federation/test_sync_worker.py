"""The sync worker of `serve`: a peer that is down is retried with capped, jittered,
exponential pauses, and synced by itself once it is back."""

from __future__ import annotations

from pathlib import Path

from coordination.federation.sync_worker import SyncSchedule
from coordination.federation.synced_logs import BACKING_OFF, UP_TO_DATE
from coordination_demo import load_demo
from tests.audit.support import serve

from .sync_support import (
    Proxy,
    introduce,
    node_settings,
    running,
    served_checkpoint,
    sync_of,
    until,
)


def test_pauses_double_up_to_their_cap_with_jitter() -> None:
    schedule = SyncSchedule(backoff_max_s=10.0)
    for failures, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (6, 10.0), (200, 10.0)):
        pauses = {schedule.backoff(failures) for _ in range(50)}
        assert all(ceiling / 2 <= p <= ceiling for p in pauses)
        assert len(pauses) > 1  # jittered: peers that came back do not all ask at once


async def test_the_worker_backs_off_a_peer_that_is_down_and_syncs_it_once_back(
    tmp_path: Path,
) -> None:
    proxy = Proxy("")
    proxy.mode = "down"
    with serve(proxy.app()) as proxy_url:
        a = node_settings(tmp_path, "a", sync=True)
        b = node_settings(tmp_path, "b", public_url=proxy_url)
        with running(a) as (app_a, url_a, system_a), running(b) as (_, url_b, system_b):
            proxy.upstream = url_b
            introduce(system_b, [(a, url_a)])
            load_demo(system_b.app, origin=b.origin)
            introduce(system_a, [(b, proxy_url)])
            logs = sync_of(app_a, system_a).logs

            async def backing_off() -> bool:
                state = logs.state(b.origin)
                return state is not None and state.state == BACKING_OFF

            await until(backing_off, "the worker found the peer down")
            assert logs.verified_size(b.origin) == 0
            proxy.mode = "pass"

            async def synced() -> bool:
                state, head = logs.state(b.origin), await served_checkpoint(url_b)
                events = system_b.app.recorder.max_notification_id() or 0
                return (
                    state is not None
                    and state.state == UP_TO_DATE
                    and head.size >= events
                    and state.cursor == head.size
                )

            await until(synced, "the worker synced the peer once it was back")
