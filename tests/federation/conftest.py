"""Fixtures of the feed's tests: a node's log of 250 entries (checkpoints of 150 and 250),
and a client of a feed that lets everyone in, anonymously."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from coordination.audit.integrator import Integrator
from coordination.audit.log import open_audit_log
from coordination.bootstrap import System
from coordination.federation.router import feed_router

from .support import KEY, Node, client_for


@pytest.fixture
def node(system: System) -> Iterator[Node]:
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=KEY.verifier
    )
    integrator = Integrator(
        system.app, log.storage, KEY, origin=system.settings.origin, notifier=log.notifier
    )
    made = Node(system, log, integrator)
    made.grow(150)  # checkpoint of 150
    made.grow(100)  # checkpoint of 250
    yield made
    log.close()


@pytest.fixture
async def client(node: Node) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(feed_router(lambda: node.log))
    async with client_for(app) as made:
        yield made
