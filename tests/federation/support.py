"""What the feed's tests share: a node's log with its integrator, and clients of its feed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from coordination.audit.integrator import Integrator
from coordination.audit.log import AuditLog
from coordination.bootstrap import System
from tests.audit.support import fill_events, node_signer

KEY = node_signer()
FEED = "http://node.test/federation/v1"
#: What a page shown to an authenticated caller varies by: who asks (FEED-PROTOCOL §4).
VARY = "Authorization, Signature, Signature-Input"


@dataclass
class Node:
    system: System
    log: AuditLog
    integrator: Integrator

    def grow(self, count: int) -> None:
        fill_events(self.system.app, count)
        self.integrator.run_once()


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node.test")


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)  # yields to the request being served
