"""The node's app in-process: its lifespan run, and a client that speaks ASGI to it.

Starlette's TestClient is deprecated with httpx; this is what it did, in the test's loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://node") as client,
    ):
        yield client
