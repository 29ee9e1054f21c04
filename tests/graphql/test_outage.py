"""A request whose execution meets a database outage is answered UNAVAILABLE with 503 and
`Retry-After`, on both execution paths (`DirectExecution` and strawberry's), for reads
and commands alike: not masked as an unexpected error.

Requests while the node knows the database is down are refused before they run (the
end-to-end test in tests/e2e/test_database_outage.py); here the node is kept from knowing
it, as in the moment before it notices, so that each request meets the outage itself.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from coordination.auth.principal import Principal, Role
from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System, bootstrap
from coordination.bootstrap.node import start_projections
from coordination.graphql.router import config_for
from coordination.persistence.availability import Availability
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.conftest import Http, http_client

FORUMS = "{ forums(first: 5) { edges { node { id } } } }"
#: Sent with extensions, a POST takes strawberry's path rather than `DirectExecution`.
STRAWBERRYS = {"extensions": {"client": "test"}}


@pytest.fixture
async def node(stoppable_schema_url: str, tmp_path: Path) -> AsyncIterator[tuple[System, Http]]:
    """The API over a database the test may stop; no result cache, so that every query
    runs, and a node that never learns of the outage (see the module)."""
    settings = Settings(
        database_url=stoppable_schema_url, data_dir=tmp_path, origin="test.example/log", env="test"
    )
    system = bootstrap(settings)
    unaware = dataclasses.replace(system, availability=Availability())
    projections = await start_projections(unaware)
    config = config_for(settings, result_cache_size=0)
    keys = TokenKeys.generate(settings.origin)
    http, api = await http_client(
        settings, unaware, projections.db, projections.runner, keys, config
    )
    yield system, http
    await http.client.aclose()
    await api.stop()
    await projections.stop()
    system.close()


async def post(http: Http, body: dict[str, Any]) -> httpx.Response:
    token = http.token(Principal(Role.ADMIN, uuid4()))
    started = time.monotonic()
    response = await http.client.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert time.monotonic() - started < 2.0
    return response


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE"}
    assert error["message"].startswith("the node's database is unavailable")


ESTABLISH = {
    "query": document("establishPartnership"),
    "variables": {
        "input": {
            "name": "Outage",
            "programme": "ESF",
            "region": "Stockholm county",
            "periodStart": "2026-01-01",
            "periodEnd": "2028-12-31",
        }
    },
}


async def test_reads_and_commands_meeting_the_outage_are_unavailable_on_both_paths(
    stoppable_server: Any, node: tuple[System, Http]
) -> None:
    system, http = node
    assert (await post(http, {"query": FORUMS})).json() == {"data": {"forums": {"edges": []}}}
    established = (await post(http, ESTABLISH)).json()["data"]["establishPartnership"]
    assert established["version"] == 1

    stoppable_server.stop(fast=True)

    assert_unavailable(await post(http, {"query": FORUMS}))  # DirectExecution
    assert_unavailable(await post(http, {"query": FORUMS, **STRAWBERRYS}))
    get = await http.client.get("/graphql", params={"query": FORUMS})  # strawberry's, too
    assert_unavailable(get)
    assert_unavailable(await post(http, ESTABLISH))
    assert_unavailable(await post(http, {**ESTABLISH, **STRAWBERRYS}))
    assert system.availability.down  # the event store's side found it out itself
