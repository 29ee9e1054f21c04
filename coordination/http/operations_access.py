"""Who may read what the node serves beside its API: the feed, `/metrics`, the OpenAPI
document and its pages (decision 24).

- The feed: its key and checkpoint to anyone (FEED-PROTOCOL §4); the rest to admins and
  auditors, with their bearer token.
- `/metrics`: with `COORDINATION_METRICS_TOKEN` set, the caller that sends it as a bearer
  token; without it, anyone in development and no one in production. A scraper's token
  opens the metrics and nothing else, where an auditor's would open every record.
- The OpenAPI document (`/openapi.json`): anyone in development; admins and auditors in
  production, so that a schema-driven tester holding a token can still load it. Its
  pages (`/docs`, `/redoc`) are development conveniences, like GraphiQL: a browser page
  sends no bearer token, and they load their scripts from another host.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from coordination.auth.principal import Principal
from coordination.auth.tokens import TokenVerifier
from coordination.ide.api_docs import ApiDocsPage
from coordination.ide.assets import assets_dir
from coordination.settings import Settings

_BEARER = "send it as `Authorization: Bearer <token>`"


def reader_of_everything(what: str, realm: str) -> Callable[[Request], Principal]:
    """A dependency that lets admins and auditors read `what`, and refuses others.

    Args:
        what: What is read, for the messages (``"the feed"``).
        realm: The realm named in the 401's `WWW-Authenticate` challenge (RFC 9110).
    """

    def caller(request: Request) -> Principal:
        verifier: TokenVerifier = request.app.state.token_verifier
        principal, refused = verifier.principal_of(request.headers.get("authorization", ""))
        if refused is not None:
            raise HTTPException(
                401,
                f"{what} needs an auditor's or admin's token: {refused}",
                headers={"WWW-Authenticate": f'Bearer realm="{realm}"'},
            )
        if not principal.reads_everything:
            raise HTTPException(403, f"the {principal.role.value} role may not read {what}")
        return principal

    return caller


def metrics_access(settings: Settings) -> Callable[[Request], None]:
    """A dependency that serves `/metrics` as the module docstring says."""
    secret = settings.metrics_token
    expected = secret.get_secret_value().encode() if secret is not None else None
    closed = settings.production

    def check(request: Request) -> None:
        if expected is None:
            if closed:
                raise HTTPException(
                    404,
                    "a production node serves /metrics only to the bearer of its metrics"
                    " token, and none is set (COORDINATION_METRICS_TOKEN)",
                )
            return
        scheme, _, sent = request.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not sent.strip():
            reason = f"/metrics needs the node's metrics token: {_BEARER}"
        elif hmac.compare_digest(sent.strip().encode(), expected):
            return
        else:
            reason = "that is not the node's metrics token"
        raise HTTPException(
            401, reason, headers={"WWW-Authenticate": 'Bearer realm="coordination metrics"'}
        )

    return check


def documentation_urls(settings: Settings) -> dict[str, Any]:
    """FastAPI's own routes for the OpenAPI document and its pages: the document in
    development, none in production (`include_operations` then serves the document to
    admins and auditors). FastAPI's pages load their scripts from a CDN: never served
    (`coordination.ide.api_docs` serves `/docs` from the node's own files)."""
    pages: dict[str, Any] = {"docs_url": None, "redoc_url": None}
    return pages if not settings.production else {**pages, "openapi_url": None}


def include_operations(app: FastAPI, metrics: APIRouter, settings: Settings) -> None:
    """Add the `metrics` router behind `metrics_access`; in development the OpenAPI
    document's page, in production the document for admins and auditors."""
    app.include_router(metrics, dependencies=[Depends(metrics_access(settings))])
    if not settings.production:
        page = ApiDocsPage(assets_dir(settings), app.openapi_url or "/openapi.json", app.title)
        app.include_router(page.router())
        return
    reader = reader_of_everything("the OpenAPI document", "coordination api")

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(reader)])
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())
