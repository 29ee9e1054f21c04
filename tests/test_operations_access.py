"""What a node serves beside its API, by mode: the OpenAPI document and its pages, and
`/metrics` (decision 24)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from coordination.audit.keys import init_key, keys_dir
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.cli import app
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.asgi import serving

METRICS_TOKEN = "scraper-" + "x" * 40


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def production(settings: Settings, system: System) -> AsyncIterator[httpx.AsyncClient]:
    node = settings.model_copy(update={"env": "production"})
    init_key(node)  # a production node makes no log key of its own
    async with serving(create_app(node, system=system)) as client:
        yield client


def token_of(settings: Settings, role: str) -> str:
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    org = uuid4() if role == "representative" else None
    return issue_token(keys, role=role, person=uuid4(), org=org)


async def test_development_serves_the_openapi_document_its_pages_and_metrics(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    # Swagger UI's files are not installed here (tests/clients serves them installed).
    bare = settings.model_copy(update={"ide_dir": tmp_path / "no-files"})
    async with serving(create_app(bare, system=system)) as client:
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "coordination"
        docs = await client.get("/docs")
        redoc = await client.get("/redoc")
        metrics = await client.get("/metrics")
    # The page says how to install its files; it never loads them from a CDN. No ReDoc.
    assert docs.status_code == 503
    assert "coordination ide install" in docs.text
    assert "http" not in docs.text
    assert redoc.status_code == 404
    assert metrics.status_code == 200
    assert "coordination_" in metrics.text


async def test_production_serves_no_pages_and_the_document_to_admins_and_auditors_only(
    settings: Settings, production: httpx.AsyncClient
) -> None:
    assert (await production.get("/docs")).status_code == 404
    assert (await production.get("/redoc")).status_code == 404
    anonymous = await production.get("/openapi.json")
    assert anonymous.status_code == 401
    assert "the OpenAPI document needs an auditor's or admin's token" in anonymous.json()["detail"]
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="coordination api"'
    forged = await production.get("/openapi.json", headers=bearer("not-a-token"))
    assert forged.status_code == 401
    representative = token_of(settings, "representative")
    refused = await production.get("/openapi.json", headers=bearer(representative))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "the representative role may not read the OpenAPI document"
    for role in ("admin", "auditor"):
        document = await production.get("/openapi.json", headers=bearer(token_of(settings, role)))
        assert document.status_code == 200
        assert "/federation/v1/checkpoint" in document.json()["paths"]
        assert "/openapi.json" not in document.json()["paths"]


async def test_production_serves_no_metrics_without_a_metrics_token(
    production: httpx.AsyncClient,
) -> None:
    answer = await production.get("/metrics")
    assert answer.status_code == 404
    assert "COORDINATION_METRICS_TOKEN" in answer.json()["detail"]
    assert "coordination_" not in answer.text


@pytest.mark.parametrize("env", ["production", "development"])
async def test_a_metrics_token_opens_the_metrics_to_its_bearer_only(
    settings: Settings, system: System, env: str
) -> None:
    node = settings.model_copy(update={"env": env, "metrics_token": SecretStr(METRICS_TOKEN)})
    init_key(node)
    admin = token_of(settings, "admin")
    async with serving(create_app(node, system=system)) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers=bearer(METRICS_TOKEN + "y"))
        as_admin = await client.get("/metrics", headers=bearer(admin))
        scraped = await client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert anonymous.status_code == 401
    assert "needs the node's metrics token" in anonymous.json()["detail"]
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="coordination metrics"'
    assert wrong.status_code == as_admin.status_code == 401  # an admin's token is not it
    assert wrong.json()["detail"] == "that is not the node's metrics token"
    assert scraped.status_code == 200
    assert "coordination_" in scraped.text


@pytest.mark.parametrize("value", ["short", "x" * 31, "with a space" + "x" * 30, "é" * 40])
def test_a_weak_or_unsendable_metrics_token_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("COORDINATION_METRICS_TOKEN", value)
    with pytest.raises(ValidationError, match="COORDINATION_METRICS_TOKEN must be 32 to 512"):
        Settings()
    result = CliRunner().invoke(app, ["migrate"], env={"COLUMNS": "500"})
    assert result.exit_code == 2
    assert "COORDINATION_METRICS_TOKEN must be 32 to 512 printable characters" in result.output
    assert value not in result.output
