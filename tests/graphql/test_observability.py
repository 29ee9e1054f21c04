"""Operations: request ids, JSON logs and Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging

import httpx
from fastapi import FastAPI

from coordination.bootstrap import System
from coordination.http.metrics import metrics_router
from coordination.observability import (
    JsonFormatter,
    LogStatus,
    Metrics,
    StatusSource,
    configure_logging,
    request_id_var,
)
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import Projections
from coordination.projections.metrics import projection_status
from coordination.projections.schema import ensure_schema
from coordination.projections.views import ALL_VIEWS
from tests.graphql.conftest import Http
from tests.graphql.scenario import Scenario


def test_log_records_are_json_with_the_request_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.observability")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id_var.set("req-1")
    try:
        logger.warning("command refused", extra={"fields": {"command": "admitMember"}})
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "command refused"
    assert entry["level"] == "warning"
    assert entry["request_id"] == "req-1"
    assert entry["command"] == "admitMember"


def test_configure_logging_installs_the_json_handler() -> None:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        configure_logging("INFO", stream)
        logging.getLogger("coordination.test").info("hello")
    finally:
        root.handlers, root.level = saved, level
    assert json.loads(stream.getvalue())["message"] == "hello"


def test_operation_names_are_bounded_labels() -> None:
    metrics = Metrics()
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("GroupPage") == "GroupPage"
    assert metrics.operation_label("not an identifier!") == "other"
    for number in range(300):
        metrics.operation_label(f"Op{number}")
    assert metrics.operation_label("OneMore") == "other"


async def test_requests_carry_their_id_and_are_counted(http: Http, scenario: Scenario) -> None:
    given = await http.post("query Public { __typename }", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    replaced = await http.post("query { __typename }", headers={"X-Request-ID": "x" * 500})
    assert len(replaced.headers["x-request-id"]) == 36
    await http.post(
        'mutation($p: UUID!) { defineTheme(input: {partnershipId: $p, name: "Housing"})'
        " { __typename } }",
        {"p": str(scenario.partnership)},
        principal=scenario.principal("admin"),
    )
    exposition = (await http.client.get("/metrics")).text
    assert 'coordination_http_requests_total{method="POST",route="/graphql",status="200"}' in (
        exposition
    )
    assert (
        'coordination_graphql_operations_total{operation="Public",outcome="ok",type="query"}'
        in exposition
    )
    assert 'coordination_commands_total{command="defineTheme",outcome="ok"} 1.0' in exposition
    assert "coordination_graphql_operation_seconds_bucket" in exposition
    # The API, once started over running views, reports their lag without more wiring.
    assert 'coordination_projection_lag_events{view="decisions"}' in exposition


async def test_metrics_report_projection_lag_and_parked_events(
    system: System, projections: Projections
) -> None:
    metrics = Metrics()
    app = FastAPI()
    app.include_router(metrics_router(metrics, projection_status(projections.db, system.app)))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://node"
    ) as client:
        response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    for view in ("forums", "decisions", "actions", "workshops", "participation"):
        assert f'coordination_projection_lag_events{{view="{view}"}}' in response.text
        assert f'coordination_projection_parked_events{{view="{view}"}} 0.0' in response.text


async def scrape(metrics: Metrics, views: StatusSource | None = None) -> httpx.Response:
    app = FastAPI()
    app.include_router(metrics_router(metrics, views))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
        return await client.get("/metrics")


async def test_metrics_answer_when_the_views_status_cannot_be_read(system: System) -> None:
    # It answered 500: a database that is down took the request and error counts with it,
    # and a failed scrape looks like a node that is down.
    db = await ReadDatabase.open(system.target)
    await ensure_schema(db, ALL_VIEWS)
    metrics = Metrics()
    metrics.http_requests.labels("POST", "/graphql", "503").inc()
    source = projection_status(db, system.app)
    readable = await scrape(metrics, source)
    assert 'coordination_projection_lag_events{view="decisions"} ' in readable.text
    assert 'coordination_status_up{source="views"} 1.0' in readable.text
    await db.close()  # every read of the views now fails
    response = await scrape(metrics, source)
    assert response.status_code == 200
    assert 'coordination_http_requests_total{method="POST",route="/graphql",status="503"} 1.0' in (
        response.text
    )
    assert 'coordination_status_up{source="views"} 0.0' in response.text
    # Left out, not the last values read: a lag frozen at 0 would say all is well.
    assert "coordination_projection_lag_events{" not in response.text
    assert "coordination_projection_parked_events{" not in response.text


async def test_metrics_answer_when_the_log_status_cannot_be_read() -> None:
    async def unreadable() -> LogStatus:
        raise ConnectionRefusedError("connection refused")

    metrics = Metrics()
    metrics.observe_log(LogStatus(lag=3, entries=10, signed=7))
    metrics.log = unreadable
    response = await scrape(metrics)
    assert response.status_code == 200
    assert 'coordination_status_up{source="log"} 0.0' in response.text
    assert "coordination_log_lag_events NaN" in response.text
    assert "coordination_log_entries NaN" in response.text
