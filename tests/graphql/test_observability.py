"""Operations: request ids, JSON logs and Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging

from coordination.bootstrap import System
from coordination.observability import (
    JsonFormatter,
    Metrics,
    configure_logging,
    metrics_router,
    projection_status,
    request_id_var,
)
from coordination.projections import Projections
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
    import httpx
    from fastapi import FastAPI

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
