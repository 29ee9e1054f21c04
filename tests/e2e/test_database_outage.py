"""A served node whose PostgreSQL server stops, and starts again on the same port and data.

While the server is down, every GraphQL request (`{__typename}` too), `/ready` and the
feed answer at once (under 2 s) with 503 and a body naming the problem; once it is back,
the node serves again without a restart: what was acknowledged before is there, what was
refused during the outage is not, and the projector and the integrator have resumed.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.e2e.test_cli_and_serve import BIN, coordination, wait_until_up
from tests.e2e.test_integrator_process import log_gauges
from tests.graphql.cases import document
from tests.processes import free_port

#: How long any answer may take while the database is down.
PROMPT_S = 2.0
THEMES = "query($p: UUID!) { themes(partnershipId: $p) { edges { node { name } } } }"


@dataclass
class Node:
    base: str
    port: int
    token: str
    output: Path

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def mutate(self, mutation: str, **input: Any) -> httpx.Response:
        return self.graphql(document(mutation), {"input": input})

    def get(self, path: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.get(f"{self.base}{path}", headers=headers, timeout=30)

    def themes(self, partnership: str) -> list[str]:
        edges = self.graphql(THEMES, {"p": partnership}).json()["data"]["themes"]["edges"]
        return [edge["node"]["name"] for edge in edges]

    def log(self) -> dict[str, float]:
        return log_gauges(self.get("/metrics").text)


@pytest.fixture
def node(stoppable_schema_url: str, tmp_path: Path) -> Iterator[Node]:
    """`coordination serve` on a server the test may stop, migrated, with an admin's token."""
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": stoppable_schema_url,
        "COORDINATION_DATA_DIR": str(tmp_path),
        "COORDINATION_ORIGIN": "test.example/coordination/log",
    }
    env.pop("COORDINATION_INTEGRATE", None)  # the default: a child process on PostgreSQL
    assert coordination("migrate", env=env).returncode == 0
    issued = coordination("tokens", "issue", "--role", "admin", "--person", str(uuid4()), env=env)
    assert issued.returncode == 0, issued.stderr
    port, output = free_port(), tmp_path / "serve.out"
    server = subprocess.Popen(
        [str(BIN / "coordination"), "serve", "--port", str(port)],
        env=env,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/health", server, timeout=60)
        yield Node(base, port, issued.stdout.strip(), output)
    finally:
        server.terminate()
        server.wait(timeout=60)


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.1)  # polling a condition with a deadline


def timed(call: Callable[[], httpx.Response]) -> httpx.Response:
    """The response, once it is asserted to have come within `PROMPT_S`."""
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < PROMPT_S, f"answered after {PROMPT_S} s: {response}"
    return response


def assert_unavailable(response: httpx.Response) -> None:
    """503 with `Retry-After` and a GraphQL error document coded UNAVAILABLE."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body.keys() == {"errors"}
    [error] = body["errors"]
    assert error.keys() == {"message", "extensions"}
    assert error["extensions"] == {"code": "UNAVAILABLE"}
    assert "database is unavailable" in error["message"]


@contextlib.contextmanager
def events_subscribed(node: Node, after: int | None = None) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection with `events` subscribed (id "1"), from `after`."""
    url = f"ws://127.0.0.1:{node.port}/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as websocket:
        payload = {"Authorization": f"Bearer {node.token}"}
        websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(websocket.recv(timeout=10))["type"] == "connection_ack"
        subscribe = {
            "query": "subscription($after: Int) {"
            " events(afterLogPosition: $after) { type logPosition } }",
            "variables": {"after": after},
        }
        websocket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        yield websocket


def test_a_node_answers_unavailable_at_once_while_postgres_is_down_and_recovers_after(
    stoppable_server: Any, node: Node
) -> None:
    wait_for(lambda: node.get("/ready").status_code == 200, timeout=60)
    established = node.mutate(
        "establishPartnership",
        name="Outage",
        programme="ESF",
        region="Stockholm county",
        periodStart="2026-01-01",
        periodEnd="2028-12-31",
    ).json()["data"]["establishPartnership"]
    partnership = established["streamId"]
    defined = node.mutate("defineTheme", partnershipId=partnership, name="Before")
    assert defined.json()["data"]["defineTheme"]["projected"] is True, defined.text
    assert node.themes(partnership) == ["Before"]  # and kept by the result cache
    wait_for(lambda: (g := node.log())["lag_events"] == 0 and g["signed_entries"] == g["entries"])
    signed_before = node.log()["signed_entries"]

    stoppable_server.stop(fast=True)

    assert_unavailable(timed(lambda: node.graphql(THEMES, {"p": partnership})))
    assert_unavailable(timed(lambda: node.graphql("{ __typename }")))
    assert_unavailable(
        timed(lambda: node.mutate("defineTheme", partnershipId=partnership, name="During"))
    )
    ready = timed(lambda: node.get("/ready"))
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert "the database is unavailable" in ready.json()["detail"]
    feed = timed(lambda: node.get("/federation/v1/checkpoint"))
    assert feed.status_code == 503
    assert feed.headers["content-type"] == "application/problem+json"
    assert int(feed.headers["retry-after"]) >= 1
    assert "database is unavailable" in feed.json()["detail"]
    with events_subscribed(node) as websocket:
        refused = json.loads(websocket.recv(timeout=PROMPT_S))
    assert refused["type"] == "error"
    assert [error["extensions"]["code"] for error in refused["payload"]] == ["UNAVAILABLE"]

    stoppable_server.start()

    wait_for(lambda: node.get("/ready").status_code == 200)
    assert node.themes(partnership) == ["Before"]  # acknowledged before: still there
    head = node.get("/ready").json()["position"]
    with events_subscribed(node, after=head) as websocket:
        after = node.mutate("defineTheme", partnershipId=partnership, name="After")
        # Projected before the answer: the projector resumed as the database came back.
        assert after.json()["data"]["defineTheme"]["projected"] is True, after.text
        event = json.loads(websocket.recv(timeout=10))
    assert event["type"] == "next", event
    assert event["payload"]["data"]["events"]["type"].startswith(
        "coordination.partnership.theme_defined"
    )
    # The refused write is not there, the others once each.
    assert node.themes(partnership) == ["Before", "After"]
    # The integrator has resumed: the new events are integrated and signed.
    wait_for(
        lambda: (
            (g := node.log())["lag_events"] == 0
            and g["signed_entries"] == g["entries"] > signed_before
        )
    )
    output = node.output.read_text()
    assert "the database is unavailable" in output
    assert "the database takes connections again" in output
    assert output.count("projector live is active") == 2  # its lock taken again
