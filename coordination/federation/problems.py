"""RFC 9457 problem details for the feed: every error is ``application/problem+json``.

The feed's routes use ``ProblemRoute``, which turns the errors of its handlers and of
their dependencies (an ``authorize`` hook raising ``HTTPException(401)``, a malformed
query) into problem responses, so the feed's error format does not depend on the
exception handlers of the app that mounts it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Coroutine, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from coordination.persistence.availability import RETRY_AFTER_S, is_connection_failure

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error to answer with a problem response.

    Args:
        status: The HTTP status code.
        detail: What went wrong and, where it helps, what to do; never personal data.
        headers: Extra response headers.
    """

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, dict(headers or {})


def problem_response(
    status: int, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An RFC 9457 problem response with ``type`` about:blank and the status's title."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _validation_detail(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


def _storage_failed(error: Exception) -> JSONResponse:
    """503 with `Retry-After`: the database unreachable (said so; the node logs the
    outage once, not per request), or the log's storage failing otherwise (logged)."""
    retry = {"Retry-After": str(RETRY_AFTER_S)}
    if is_connection_failure(error):
        detail = "the node's database is unavailable, so the log cannot be read now"
        return problem_response(503, f"{detail}; try again in {RETRY_AFTER_S} s or later", retry)
    log.exception("the log storage failed")
    return problem_response(503, "the log cannot be read right now; try again later", retry)


def method_not_allowed(method: str, allow: Sequence[str]) -> Problem:
    """The 405 for ``method`` on a path that serves only the methods ``allow``."""
    detail = f"{method} is not served here: use {' or '.join(allow)}"
    return Problem(405, detail, {"Allow": ", ".join(allow)})


class ProblemRoute(APIRoute):
    """A route whose errors, its dependencies' included, are problem responses."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                return problem_response(problem.status, problem.detail, problem.headers)
            except HTTPException as error:
                return problem_response(error.status_code, str(error.detail), error.headers)
            except RequestValidationError as error:
                return problem_response(400, _validation_detail(error))
            except (PersistenceError, psycopg.Error, sqlite3.Error) as error:
                return _storage_failed(error)

        return route
