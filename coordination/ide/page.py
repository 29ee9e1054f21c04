"""GraphiQL served by the node: its page and every file the page loads, from no other host.

strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from a CDN, so
a node without internet served a blank page. Here those files come from the node
(`coordination ide install` put them in the assets directory, their hashes checked; see
`npm_pinned`), under versioned URLs cached for a year, and the page names them with the
same `integrity` hashes. The page's own script and styles are files of this package, so
the page has nothing inline and its Content-Security-Policy allows only the node itself.
Where the files are missing the page says how to install them; it never falls back to a
CDN.
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from coordination.ide.assets import Asset, asset_response, pinned_assets
from coordination.ide.npm_pinned import sri

HERE = Path(__file__).parent
MANIFEST = HERE / "graphiql.toml"
#: Where the page's files are served, below the endpoint's own path.
PREFIX = "/graphql/ide"
#: The page's own files (this package's), served under PREFIX/page/.
OWN_FILES = ("graphiql.css", "graphiql.js")
#: Everything from the node itself: scripts and styles from files only (none inline),
#: requests (HTTP and WebSocket) to the node only, and no framing by other sites.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}


class GraphiQLFiles:
    """GraphiQL's page and files, read from `directory`.

    Args:
        directory: Where `coordination ide install` put the files (`assets_dir`).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        installed = pinned_assets([MANIFEST], directory)
        own = [
            Asset(f"page/{name}", HERE / name, sri((HERE / name).read_bytes(), "sha384"), False)
            for name in OWN_FILES
        ]
        # Styles before the page's own; the page's script after the libraries it starts.
        self.assets = installed + own
        self._by_url = {asset.url: asset for asset in self.assets}
        self._page = Template((HERE / "graphiql.html").read_text())
        self._missing_page = Template((HERE / "missing.html").read_text())

    def missing(self) -> list[str]:
        """The URLs of the installed files that are not there."""
        return [a.url for a in self.assets if a.third_party and not a.path.is_file()]

    def page(self, request: Request) -> HTMLResponse:
        """The GraphiQL page, or, where files are missing, how to install them."""
        missing = self.missing()
        if missing:
            text = self._missing_page.substitute(
                directory=html.escape(str(self.directory)),
                missing=html.escape(", ".join(missing)),
            )
            return HTMLResponse(text, status_code=503, headers=PAGE_HEADERS)
        base = request.scope.get("root_path", "") + PREFIX
        styles = [
            f'    <link rel="stylesheet" href="{base}/{a.url}" integrity="{a.sri}" />'
            for a in self.assets
            if a.is_style
        ]
        scripts = [
            f'    <script src="{base}/{a.url}" integrity="{a.sri}"></script>'
            for a in self.assets
            if not a.is_style
        ]
        text = self._page.substitute(styles="\n".join(styles), scripts="\n".join(scripts))
        return HTMLResponse(text, headers=PAGE_HEADERS)

    def file(self, url: str) -> Response:
        """One of the page's files, or 404 for any other URL below PREFIX."""
        return asset_response(self._by_url.get(url), url, "GraphiQL")

    def router(self) -> APIRouter:
        """The route of the page's files (the page itself is the endpoint's GET)."""
        router = APIRouter()

        @router.get(PREFIX + "/{url:path}", include_in_schema=False)
        async def ide_file(url: str) -> Response:
            return self.file(url)

        return router
