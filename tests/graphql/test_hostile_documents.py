"""Documents built to stall the node, sent to a real `coordination serve` process in
production with anonymous callers refused, over HTTP and WebSocket.

Forty fragments, each spreading the one before twice, once held the server's event loop
for good: every check expanded each spread again. The node runs in a process of its
own, so that a stalled event loop shows here as requests that are not answered (and the
process can be killed afterwards), not as a test that hangs with it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.graphql.hostile import doubling_spreads
from tests.processes import free_port

BIN = Path(sys.executable).parent
#: What "at once" means for a refusal, measured around the request.
AT_ONCE = 0.1
#: How long another caller may wait while the hostile documents come in.
ANSWERED = 0.5
#: How long any one answer may take before the node counts as stalled.
STALLED = 5.0
GARBAGE = {"Authorization": "Bearer not.a.token"}
PUBLIC = {"query": "{ forums(first: 5) { edges { cursor } } }"}


@dataclass(frozen=True)
class Node:
    base: str
    token: str

    @property
    def websocket(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"

    @property
    def authorized(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def coordination(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BIN / "coordination"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    data = tmp_path_factory.mktemp("hostile")
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": f"sqlite:///{data / 'node.db'}",
        "COORDINATION_DATA_DIR": str(data),
        "COORDINATION_ORIGIN": "test.example/coordination/log",
        "COORDINATION_ENV": "production",
        "COORDINATION_ALLOW_ANONYMOUS": "false",
    }
    coordination("migrate", env=env)
    coordination("keys", "init", env=env)
    token = coordination(
        "tokens", "issue", "--role", "auditor", "--person", str(uuid4()), env=env
    ).strip()
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        up_by = time.monotonic() + 30
        while not _answers(f"{base}/health"):
            assert server.poll() is None, "the node did not start"
            assert time.monotonic() < up_by, "the node did not answer within 30 s"
            time.sleep(0.05)  # polling a condition with a deadline
        yield Node(base, token)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a stalled event loop does not see the signal
            server.kill()
            server.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.TransportError:
        return False


def refused_for_cost(errors: list[dict[str, object]]) -> bool:
    (error,) = errors
    extensions = error["extensions"]
    assert isinstance(extensions, dict)
    assert extensions["code"] == "GRAPHQL_VALIDATION_FAILED", error
    measured = re.search(r"exceeds maximum operation cost of 20000: its cost is (\d+) ", str(error))
    return measured is not None and int(measured[1]) >= 2**39


def hostile(attempt: int, root: str = "Query") -> str:
    """The document of forty fragments, new text each attempt (never a remembered one)."""
    leaf = "events { type }" if root == "Subscription" else "__typename"
    return f"# attempt {attempt}\n" + doubling_spreads(39, root=root, leaf=leaf)


@pytest.fixture
async def client(node: Node) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=node.base, timeout=STALLED) as client:
        assert (await client.get("/health")).status_code == 200  # connected before any clock
        yield client


async def test_the_document_is_refused_at_once_over_http(client: httpx.AsyncClient) -> None:
    for attempt, (method, headers) in enumerate(
        [("POST", GARBAGE), ("POST", {}), ("GET", GARBAGE), ("GET", {}), ("POST", GARBAGE)]
    ):
        document = hostile(attempt if attempt < 4 else 0)  # the last one seen before
        started = time.perf_counter()
        if method == "POST":
            response = await client.post("/graphql", json={"query": document}, headers=headers)
        else:
            response = await client.get("/graphql", params={"query": document}, headers=headers)
        took = time.perf_counter() - started
        assert response.status_code == 200
        assert refused_for_cost(response.json()["errors"]), response.text
        assert took < AT_ONCE, f"{method} {headers}: {took:.3f} s"


async def subscribed(node: Node) -> ClientConnection:
    websocket = await connect(node.websocket, subprotocols=["graphql-transport-ws"])
    init = {"type": "connection_init", "payload": node.authorized}
    await websocket.send(json.dumps(init))
    async with asyncio.timeout(STALLED):
        assert json.loads(await websocket.recv())["type"] == "connection_ack"
    return websocket


async def refusal_over(websocket: ClientConnection, attempt: int, document: str) -> float:
    """Seconds from subscribing with `document` to its refusal for cost."""
    message = {"id": str(attempt), "type": "subscribe", "payload": {"query": document}}
    started = time.perf_counter()
    await websocket.send(json.dumps(message))
    async with asyncio.timeout(STALLED):
        answer = json.loads(await websocket.recv())
    took = time.perf_counter() - started
    assert (answer["type"], answer["id"]) == ("error", str(attempt)), answer
    assert refused_for_cost(answer["payload"]), answer
    return took


async def test_the_document_is_refused_at_once_over_websocket(node: Node) -> None:
    websocket = await subscribed(node)
    try:
        for attempt, root in enumerate(["Subscription", "Query", "Subscription"]):
            took = await refusal_over(websocket, attempt, hostile(attempt, root))
            assert took < AT_ONCE, f"{root}: {took:.3f} s"
    finally:
        await websocket.close()
    # A garbage token is refused when the socket opens, before any document is read.
    refused = await connect(node.websocket, subprotocols=["graphql-transport-ws"])
    await refused.send(json.dumps({"type": "connection_init", "payload": GARBAGE}))
    await refused.send(
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": hostile(99)}})
    )
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(STALLED):
            await refused.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_others_are_answered_while_one_caller_sends_the_document(
    node: Node, client: httpx.AsyncClient
) -> None:
    stop = asyncio.Event()
    sent = {"http": 0, "websocket": 0}

    async def over_http() -> None:
        async with httpx.AsyncClient(base_url=node.base, timeout=STALLED) as attacker:
            while not stop.is_set():
                document = hostile(1000 + sent["http"])
                response = await attacker.post(
                    "/graphql", json={"query": document}, headers=GARBAGE
                )
                assert refused_for_cost(response.json()["errors"])
                sent["http"] += 1

    async def over_websocket() -> None:
        websocket = await subscribed(node)
        try:
            while not stop.is_set():
                attempt = 2000 + sent["websocket"]
                await refusal_over(websocket, attempt, hostile(attempt, "Subscription"))
                sent["websocket"] += 1
        finally:
            await websocket.close()

    attackers = [asyncio.create_task(over_http()), asyncio.create_task(over_websocket())]
    slowest = 0.0
    try:
        for _ in range(20):
            started = time.perf_counter()
            health = await client.get("/health")
            answer = await client.post("/graphql", json=PUBLIC, headers=node.authorized)
            slowest = max(slowest, time.perf_counter() - started)
            assert health.status_code == 200
            assert answer.json() == {"data": {"forums": {"edges": []}}}
            assert not any(task.done() for task in attackers), [t.exception() for t in attackers]
    finally:
        stop.set()
        await asyncio.gather(*attackers)
    assert slowest < ANSWERED, f"{slowest:.3f} s"
    assert sent["http"] >= 5, sent
    assert sent["websocket"] >= 5, sent
