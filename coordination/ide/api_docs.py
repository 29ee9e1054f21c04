"""The OpenAPI document's page (`/docs`, Swagger UI), from files the node serves itself.

FastAPI's own `/docs` and `/redoc` load Swagger UI and ReDoc from a CDN, and a favicon
from FastAPI's site: without internet they were blank, and every visit told a third
party. Here `/docs` is FastAPI's Swagger UI page pointed at pinned files the node
serves (`coordination ide install` puts them beside GraphiQL's), and ReDoc, a second
rendering of the same document, is not served. Where the files are missing the page
says how to install them. Development only: in production the document is for token
holders, and a browser page sends no token.
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from coordination.ide.assets import asset_response, pinned_assets

HERE = Path(__file__).parent
MANIFEST = HERE / "swagger_ui.toml"
PATH = "/docs"
PREFIX = f"{PATH}/files"
#: No favicon request to anyone (FastAPI's page asks FastAPI's site for one).
NO_ICON = "data:,"


class ApiDocsPage:
    """Swagger UI over the node's OpenAPI document.

    Args:
        directory: Where `coordination ide install` put the files (`assets_dir`).
        openapi_url: Where the document is served.
        title: The page's title.
    """

    def __init__(self, directory: Path, openapi_url: str, title: str) -> None:
        self.directory, self.openapi_url, self.title = directory, openapi_url, title
        self.assets = pinned_assets([MANIFEST], directory)
        self._by_url = {asset.url: asset for asset in self.assets}

    def page(self) -> HTMLResponse:
        """The page, or, where files are missing, how to install them (503)."""
        missing = [asset.url for asset in self.assets if not asset.path.is_file()]
        if missing:
            return HTMLResponse(
                "<!doctype html><title>Swagger UI is not installed on this node</title>"
                "<p>The node serves Swagger UI's files itself, and they are not installed"
                " yet: run <code>coordination ide install</code> (<code>make install</code>"
                f" runs it). Missing: {html.escape(', '.join(missing))}. The OpenAPI document"
                f" itself is at <a href='{self.openapi_url}'>{self.openapi_url}</a>.</p>",
                status_code=503,
            )
        script = next(asset for asset in self.assets if not asset.is_style)
        style = next(asset for asset in self.assets if asset.is_style)
        return get_swagger_ui_html(
            openapi_url=self.openapi_url,
            title=self.title,
            swagger_js_url=f"{PREFIX}/{script.url}",
            swagger_css_url=f"{PREFIX}/{style.url}",
            swagger_favicon_url=NO_ICON,
        )

    def router(self) -> APIRouter:
        """The page and its files."""
        router = APIRouter()

        @router.get(PATH, include_in_schema=False)
        async def docs() -> HTMLResponse:
            return self.page()

        @router.get(PREFIX + "/{url:path}", include_in_schema=False)
        async def docs_file(url: str) -> Response:
            return asset_response(self._by_url.get(url), url, "Swagger UI")

        return router
