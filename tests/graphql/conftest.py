"""GraphQL fixtures: the read side running, the API started, callers and their tokens.

`gql` runs documents through `schema.execute` with a principal; `client` speaks HTTP to
a FastAPI app built with `create_app` and the GraphQL router, over ASGI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from strawberry.types import ExecutionResult

from coordination.auth.principal import ANONYMOUS, Principal
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.bootstrap.graphql import start_graphql
from coordination.bootstrap.node import start_projections
from coordination.graphql.context import GraphQLConfig, GraphQLContext
from coordination.graphql.router import GraphQLApi
from coordination.http.app import create_app
from coordination.observability import Metrics
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.scenario import Scenario


@pytest.fixture
def keys(settings: Settings) -> TokenKeys:
    return TokenKeys.generate(settings.origin)


@pytest.fixture
def scenario(system: System) -> Scenario:
    return Scenario.build(system.app)


async def caught_up(system: System, projections: Projections) -> None:
    """Wait until the views include every event recorded so far (the scenario's writes
    go to the application directly, so nothing else waits for them)."""
    head = system.app.recorder.max_notification_id() or 0
    assert await projections.runner.wait_until(head, 10)


@pytest.fixture
async def projections(system: System) -> AsyncIterator[Projections]:
    running = await start_projections(system)
    yield running
    await running.stop()


@dataclass
class Gql:
    """Runs GraphQL documents as a given caller, through `schema.execute`."""

    api: GraphQLApi

    async def run(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        principal: Principal = ANONYMOUS,
        request_id: str | None = None,
    ) -> ExecutionResult:
        assert self.api.services is not None
        context = GraphQLContext(
            self.api.services, principal, request_id=request_id or str(uuid4())
        )
        return await self.api.schema.execute(
            document, variable_values=variables, context_value=context
        )

    async def data(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        principal: Principal = ANONYMOUS,
    ) -> dict[str, Any]:
        """The result's data, failing the test on any error."""
        result = await self.run(document, variables, principal)
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data

    def events(self) -> int:
        assert self.api.services is not None
        return self.api.services.app.recorder.max_notification_id() or 0


@pytest.fixture
async def gql(
    system: System, settings: Settings, projections: Projections, keys: TokenKeys
) -> AsyncIterator[Gql]:
    """The API over running projections: mutations wait for the views (read-your-writes)."""
    api = GraphQLApi(settings, metrics=Metrics())
    await start_graphql(api, system, db=projections.db, runner=projections.runner, keys=keys)
    yield Gql(api)
    await api.stop()


@pytest.fixture
async def gql_without_views(
    system: System, settings: Settings, keys: TokenKeys
) -> AsyncIterator[Gql]:
    """The API with no projector in the process: mutations return without waiting."""
    db = await ReadDatabase.open(system.target)
    api = GraphQLApi(settings, metrics=Metrics())
    await start_graphql(api, system, db=db, runner=None, keys=keys)
    yield Gql(api)
    await api.stop()
    await db.close()


def build_http_app(
    settings: Settings, system: System, api: GraphQLApi, metrics: Metrics
) -> FastAPI:
    """The node's app as the lead wires it: create_app, the GraphQL router, metrics."""
    return create_app(settings, system=system, graphql=api, metrics=metrics, max_body_bytes=20_000)


@dataclass
class Http:
    client: httpx.AsyncClient
    api: GraphQLApi
    keys: TokenKeys
    metrics: Metrics

    def token(self, principal: Principal) -> str:
        assert principal.person_id is not None
        return issue_token(
            self.keys,
            role=principal.role,
            person=principal.person_id,
            org=principal.org,
            groups=principal.groups,
        )

    async def post(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        principal: Principal | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if principal is not None:
            token = self.token(principal)
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return await self.client.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=sent
        )


async def http_client(
    settings: Settings,
    system: System,
    db: ReadDatabase,
    runner: Any,
    keys: TokenKeys,
    config: GraphQLConfig | None = None,
) -> tuple[Http, GraphQLApi]:
    metrics = Metrics()
    api = GraphQLApi(settings, metrics=metrics, config=config)
    await start_graphql(api, system, db=db, runner=runner, keys=keys)
    app = build_http_app(settings, system, api, metrics)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node")
    return Http(client, api, keys, metrics), api


@pytest.fixture
async def http(
    system: System, settings: Settings, projections: Projections, keys: TokenKeys
) -> AsyncIterator[Http]:
    client, api = await http_client(settings, system, projections.db, projections.runner, keys)
    yield client
    await client.client.aclose()
    await api.stop()
