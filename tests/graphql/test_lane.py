"""The GraphQL lane: POST /graphql answered without FastAPI's routing, and nothing else."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.graphql.router import GraphQLApi
from coordination.http.body_limit import BodySizeLimit
from coordination.http.lane import GraphQLLane, NodeApp
from coordination.http.middleware import RequestIdMiddleware
from coordination.observability import Metrics
from coordination.settings import Settings
from tests.graphql.conftest import Http, build_http_app


class Elsewhere:
    """The rest of an application: records what reached it and answers 204."""

    def __init__(self) -> None:
        self.paths: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append((scope["method"], scope["path"]))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def test_the_lane_answers_graphql_posts_itself_and_passes_the_rest_on(http: Http) -> None:
    rest = Elsewhere()
    lane = GraphQLLane(rest, api=http.api)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=lane), base_url="http://node"
    ) as client:
        answered = await client.post("/graphql", json={"query": "{ __typename }"})
        assert answered.status_code == 200
        assert answered.json() == {"data": {"__typename": "Query"}}
        assert rest.paths == []

        assert (await client.get("/graphql")).status_code == 204
        assert (await client.post("/graphql/other", json={})).status_code == 204
        assert (await client.post("/health")).status_code == 204
    assert rest.paths == [("GET", "/graphql"), ("POST", "/graphql/other"), ("POST", "/health")]


async def test_a_lane_request_is_counted_under_the_endpoints_route(http: Http) -> None:
    await http.post("query Counted { __typename }")
    exposition = (await http.client.get("/metrics")).text
    assert 'coordination_http_requests_total{method="POST",route="/graphql",status="200"}' in (
        exposition
    )


async def test_before_the_endpoint_starts_a_post_is_told_to_try_again(
    settings: Settings, system: System, keys: TokenKeys
) -> None:
    metrics = Metrics()
    api = GraphQLApi(settings, metrics=metrics)  # built, never started
    app = build_http_app(settings, system, api, metrics)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://node"
    ) as client:
        response = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "early-1"}
        )
    assert response.status_code == 503
    assert "starting" in response.json()["detail"]
    assert response.headers["x-request-id"] == "early-1"


def test_the_node_puts_the_lane_inside_its_own_middleware(
    settings: Settings, system: System
) -> None:
    metrics = Metrics()
    app = build_http_app(settings, system, GraphQLApi(settings, metrics=metrics), metrics)
    assert isinstance(app, NodeApp)
    assert len(app.user_middleware) == 1  # the node's chain, built once with FastAPI's stack
    app.middleware_stack = app.build_middleware_stack()  # what the first request does
    # Outermost first: a request the lane answers enters at the node's middleware...
    chain, layer = [], app._entry
    while layer is not None:
        chain.append(type(layer))
        layer = None if isinstance(layer, GraphQLLane) else getattr(layer, "app", None)
    assert chain == [RequestIdMiddleware, BodySizeLimit, GraphQLLane]
    # ...and every other request passes the very same middleware, inside FastAPI's own.
    layers, layer = [], app.middleware_stack
    while layer is not None and len(layers) < 20:
        layers.append(layer)
        layer = getattr(layer, "app", None)
    assert any(layer is app._entry for layer in layers)


async def test_a_lane_request_skips_fastapis_own_middleware(
    http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    starlette_call = Starlette.__call__

    async def recorded(self: Starlette, scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(f"{scope['method']} {scope['path']}")
        await starlette_call(self, scope, receive, send)

    monkeypatch.setattr(Starlette, "__call__", recorded)
    answered = await http.post("{ __typename }", headers={"X-Request-ID": "lane-1"})
    assert answered.json() == {"data": {"__typename": "Query"}}
    assert answered.headers["x-request-id"] == "lane-1"
    assert (await http.client.get("/health")).status_code == 200
    assert seen == ["GET /health"]
