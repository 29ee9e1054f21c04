"""GraphiQL's page where the node does not serve it whole: never from a CDN."""

from __future__ import annotations

from pathlib import Path

from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.conftest import http_client

HTML = {"Accept": "text/html"}


async def test_without_its_files_the_page_says_how_to_install_them(
    settings: Settings, system: System, projections: Projections, keys: TokenKeys, tmp_path: Path
) -> None:
    empty = settings.model_copy(update={"ide_dir": tmp_path / "nothing-here", "env": "development"})
    http, api = await http_client(empty, system, projections.db, projections.runner, keys)
    try:
        page = await http.client.get("/graphql", headers=HTML)
        assert page.status_code == 503
        assert "coordination ide install" in page.text
        assert "unpkg" not in page.text
        assert "<script" not in page.text
    finally:
        await http.client.aclose()
        await api.stop()


async def test_production_serves_neither_the_page_nor_its_files(
    settings: Settings, system: System, projections: Projections, keys: TokenKeys
) -> None:
    production = settings.model_copy(update={"env": "production"})
    http, api = await http_client(production, system, projections.db, projections.runner, keys)
    try:
        assert (await http.client.get("/graphql", headers=HTML)).status_code == 404
        asset = "/graphql/ide/react@18.2.0/umd/react.production.min.js"
        assert (await http.client.get(asset)).status_code == 404
    finally:
        await http.client.aclose()
        await api.stop()
