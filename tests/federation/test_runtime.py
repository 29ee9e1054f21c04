"""The node as the lead wires it: a recorded event reaches the feed, signed, in seconds."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import httpx
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from coordination.audit.checkpoint import open_checkpoint
from coordination.bootstrap import System
from coordination.bootstrap.node import start_audit
from coordination.domain.context import Context
from coordination.federation.router import feed_router
from coordination.http.app import audit_log_of_app
from tests.audit.support import ORIGIN, node_signer

KEY = node_signer()
FEED = "http://node.test/federation/v1"


async def test_a_recorded_event_reaches_the_feed_within_two_seconds(system: System) -> None:
    runtime = start_audit(system, KEY)
    app = FastAPI()
    app.state.audit = runtime
    app.include_router(feed_router(audit_log_of_app))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://node.test") as client:
            assert runtime.integrator.wait_until_signed(0, timeout=10)
            head = open_checkpoint((await client.get(f"{FEED}/checkpoint")).text, KEY.verifier)
            waiting = asyncio.create_task(
                client.get(f"{FEED}/entries?start={head.size}", headers={"Prefer": "wait=10"})
            )
            recorded = time.monotonic()
            await run_in_threadpool(
                system.app.establish_partnership,
                Context(actor="secretariat", origin=ORIGIN),
                name="Partnership",
                programme="ESF",
                region="Stockholm county",
                period_start=date(2026, 1, 1),
                period_end=date(2027, 12, 31),
            )
            page = (await waiting).json()
            assert time.monotonic() - recorded < 2.5
            types = [e["event"]["type"] for e in page["entries"]]
            assert "coordination.partnership.established.v1" in types
            assert open_checkpoint(page["checkpoint"], KEY.verifier).size > head.size
    finally:
        runtime.close()
    assert runtime.integrator.last_error is None
