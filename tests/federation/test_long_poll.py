"""`Prefer: wait=S` (RFC 7240) at the head: on the head page of entries and, with
`If-None-Match` naming the latest checkpoint, on `/checkpoint` (which ignored it). The
answer says `Preference-Applied`; the wait holds no worker thread and ends when the
client goes away (it went on for the whole wait)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import anyio.to_thread
import httpx
import pytest
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from coordination.audit.checkpoint import open_checkpoint
from coordination.federation.router import feed_router
from tests.audit.support import serve

from .support import FEED, KEY, Node, until


def waiting(node: Node) -> int:
    """How many requests wait on the node's notifier."""
    return len(node.log.notifier._waiters)


async def test_a_long_poll_returns_when_new_entries_arrive(
    client: httpx.AsyncClient, node: Node
) -> None:
    started = time.monotonic()
    request = asyncio.create_task(
        client.get(f"{FEED}/entries?start=250&limit=10", headers={"Prefer": "wait=20"})
    )
    await until(lambda: waiting(node) == 1)
    await run_in_threadpool(node.grow, 3)
    response = await request
    assert time.monotonic() - started < 15
    assert [e["index"] for e in response.json()["entries"]] == [250, 251, 252]
    assert response.headers["preference-applied"] == "wait=20"


async def test_a_long_poll_ends_empty_when_the_wait_ends(client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await client.get(f"{FEED}/entries?start=250", headers={"Prefer": "wait=1"})
    assert 0.9 <= time.monotonic() - started < 10
    assert response.status_code == 200
    assert response.json()["entries"] == []
    assert response.headers["preference-applied"] == "wait=1"


async def test_a_page_below_the_head_does_not_wait(client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await client.get(f"{FEED}/entries?start=0", headers={"Prefer": "wait=20"})
    assert time.monotonic() - started < 5
    assert "preference-applied" not in response.headers


async def current_etag(client: httpx.AsyncClient) -> str:
    etag: str = (await client.get(f"{FEED}/checkpoint")).headers["etag"]
    return etag


async def test_the_checkpoint_waits_for_a_newer_one_than_the_client_has(
    client: httpx.AsyncClient, node: Node
) -> None:
    etag = await current_etag(client)
    started = time.monotonic()
    request = asyncio.create_task(
        client.get(f"{FEED}/checkpoint", headers={"Prefer": "wait=20", "If-None-Match": etag})
    )
    await until(lambda: waiting(node) == 1)
    await run_in_threadpool(node.grow, 5)
    response = await request
    assert time.monotonic() - started < 15
    assert response.status_code == 200
    assert open_checkpoint(response.text, KEY.verifier).size == 255
    assert response.headers["etag"] != etag
    assert response.headers["preference-applied"] == "wait=20"


async def test_the_checkpoint_answers_304_when_the_wait_ends(client: httpx.AsyncClient) -> None:
    etag = await current_etag(client)
    started = time.monotonic()
    response = await client.get(
        f"{FEED}/checkpoint", headers={"Prefer": "wait=1", "If-None-Match": etag}
    )
    assert 0.9 <= time.monotonic() - started < 10
    assert response.status_code == 304
    assert response.headers["etag"] == etag
    assert response.headers["preference-applied"] == "wait=1"


@pytest.mark.parametrize("has", [None, '"an-older-checkpoint"'])
async def test_a_client_without_the_latest_checkpoint_gets_it_at_once(
    client: httpx.AsyncClient, has: str | None
) -> None:
    headers = {"Prefer": "wait=20"} | ({"If-None-Match": has} if has else {})
    started = time.monotonic()
    response = await client.get(f"{FEED}/checkpoint", headers=headers)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert open_checkpoint(response.text, KEY.verifier).size == 250
    assert "preference-applied" not in response.headers


async def test_a_wait_beyond_25_seconds_is_cut_to_25(client: httpx.AsyncClient, node: Node) -> None:
    etag = await current_etag(client)
    request = asyncio.create_task(
        client.get(f"{FEED}/checkpoint", headers={"Prefer": "wait=600", "If-None-Match": etag})
    )
    await until(lambda: waiting(node) == 1)
    await run_in_threadpool(node.grow, 1)
    assert (await request).headers["preference-applied"] == "wait=25"


async def test_waiting_requests_hold_no_worker_thread(
    client: httpx.AsyncClient, node: Node
) -> None:
    # More waiting requests than the worker threads the node's blocking reads share: were
    # each wait a thread's, the last would not start waiting and the page not be read.
    count = anyio.to_thread.current_default_thread_limiter().total_tokens + 10
    etag = await current_etag(client)
    polls = [
        asyncio.create_task(
            client.get(f"{FEED}/checkpoint", headers={"Prefer": "wait=20", "If-None-Match": etag})
        )
        for _ in range(count)
    ]
    await until(lambda: waiting(node) == count)
    async with asyncio.timeout(5):
        page = await client.get(f"{FEED}/entries?start=0&limit=10")
    assert page.status_code == 200
    await run_in_threadpool(node.grow, 1)
    answers = await asyncio.gather(*polls)
    assert {answer.status_code for answer in answers} == {200}


@pytest.mark.parametrize(
    ("path", "with_etag"), [("checkpoint", True), ("entries?start=250", False)]
)
def test_a_wait_ends_when_the_client_goes_away(node: Node, path: str, with_etag: bool) -> None:
    app = FastAPI()
    app.include_router(feed_router(lambda: node.log))
    with serve(app) as base:
        etag = httpx.get(f"{base}/federation/v1/checkpoint").headers["etag"]
        port = int(base.rsplit(":", 1)[1])
        request = (
            f"GET /federation/v1/{path} HTTP/1.1\r\nHost: node.test\r\nPrefer: wait=25\r\n"
            + (f"If-None-Match: {etag}\r\n" if with_etag else "")
            + "\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(request.encode())
            wait_for(lambda: waiting(node) == 1)
        gone = time.monotonic()
        wait_for(lambda: waiting(node) == 0)
        # Long before the 25 s the client asked for.
        assert time.monotonic() - gone < 5


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)  # polling a condition with a deadline (the server has its own loop)
