"""The partner feed over HTTP (FEED-PROTOCOL.md §4), under ``/federation/v1``.

Pages serve the log up to its latest signed checkpoint only, so every entry served can
be verified against a checkpoint. A page wholly below that checkpoint never changes: it
carries the smallest signed checkpoint that covers it (also immutable) and is served as
``immutable``; the head page carries the latest checkpoint and is ``no-cache``. ETags
are digests of the exact body, so ``If-None-Match`` answers 304 exactly when nothing
changed. Events are spliced into the body as their stored bytes, after checking they are
JSON, so what a reader hashes is what was signed.

Hooks for the lead: ``authorize`` is a FastAPI dependency that returns the caller (or
raises ``HTTPException(401/403)``); ``may_see(caller, entry)`` decides whether a caller
gets an entry's event or only its leaf hash (``event: null``).

(No postponed annotations here: FastAPI must see the dependency types built in the factory.)
"""

import hashlib
import re
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from coordination.audit._encoding import b64encode
from coordination.audit.feed_path import FEED_PREFIX
from coordination.audit.log import AuditLog
from coordination.audit.storage import LogEntry, StoredCheckpoint

from . import openapi
from .openapi import answers, operation, whole_number
from .problems import Problem, ProblemRoute

PREFIX = FEED_PREFIX
#: Every method a request may come with: the feed serves GET, and refuses the others.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
PAGE_LIMIT_MAX = 1000
PAGE_LIMIT_DEFAULT = 100
WAIT_MAX_S = 25
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
_DIGITS = re.compile(r"[0-9]{1,1000}")
_WAIT = re.compile(r"\s*wait\s*=\s*\"?([0-9]{1,10})\"?\s*", re.IGNORECASE)

MaySee = Callable[[Any, LogEntry], bool]


def _anyone() -> None:
    return None


def _everything(_caller: Any, _entry: LogEntry) -> bool:
    return True


def _integer(request: Request, name: str, default: int | None = None) -> int:
    """A non-negative integer query parameter, or a 400 problem saying what is wrong."""
    given = request.query_params.getlist(name)
    if len(given) > 1:
        raise Problem(400, f"the query parameter {name!r} is given {len(given)} times, not once")
    raw = given[0] if given else None
    if raw is None:
        if default is None:
            raise Problem(400, f"the query parameter {name!r} is required")
        return default
    if not _DIGITS.fullmatch(raw):
        raise Problem(400, f"{name} must be a non-negative whole number, not {raw[:40]!r}")
    return int(raw)


def _prefer_wait(request: Request) -> float:
    """The seconds of ``Prefer: wait=S`` (RFC 7240), capped; malformed preferences are ignored."""
    for header in request.headers.getlist("prefer"):
        for preference in header.split(","):
            match = _WAIT.fullmatch(preference.split(";")[0])
            if match:
                return float(min(int(match.group(1)), WAIT_MAX_S))
    return 0.0


def _etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def _matches(request: Request, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def _respond(request: Request, body: bytes, media_type: str, cache_control: str) -> Response:
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _dumps(value: object) -> bytes:
    return orjson.dumps(value)


def _event_bytes(entry: LogEntry) -> bytes:
    try:
        orjson.loads(entry.entry)  # spliced into the page: it must be one JSON value
    except orjson.JSONDecodeError:
        raise Problem(
            500, f"entry {entry.index} is corrupt in storage (not JSON); tell the node's operator"
        ) from None
    return entry.entry


def _page_body(
    origin: str,
    start: int,
    entries: list[LogEntry],
    visible: Callable[[LogEntry], bool],
    checkpoint: StoredCheckpoint,
    next_url: str | None,
) -> bytes:
    items = [
        b'{"index":%d,"leaf_hash":"%s","event":%s}'
        % (e.index, b64encode(e.leaf_hash).encode(), _event_bytes(e) if visible(e) else b"null")
        for e in entries
    ]
    return b"".join(
        [
            b'{"origin":',
            _dumps(origin),
            b',"start":%d,"entries":[' % start,
            b",".join(items),
            b'],"checkpoint":',
            _dumps(checkpoint.note),
            b',"next":',
            _dumps(next_url),
            b"}",
        ]
    )


async def _latest(log: AuditLog) -> StoredCheckpoint:
    checkpoint = await run_in_threadpool(log.latest_checkpoint)
    if checkpoint is None:
        raise Problem(503, "the log has no signed checkpoint yet; try again shortly")
    return checkpoint


def _within(size: int, checkpoint: StoredCheckpoint, what: str) -> None:
    if size > checkpoint.size:
        raise Problem(
            416,
            f"{what} {size} is beyond the log: its latest checkpoint has {checkpoint.size} entries",
        )


def feed_router(
    get_log: Callable[..., AuditLog],
    *,
    authorize: Callable[..., Any] | None = None,
    may_see: MaySee | None = None,
) -> APIRouter:
    """The feed's routes, to ``include_router`` into the node's app.

    Args:
        get_log: A FastAPI dependency returning the node's ``AuditLog``.
        authorize: A FastAPI dependency returning the caller, or raising
            ``HTTPException`` (401/403); everyone is let in when not given.
        may_see: Whether a caller may see an entry's event; everything when not given.
    """
    router = APIRouter(
        prefix=PREFIX,
        route_class=ProblemRoute,
        tags=["federation"],
        # The bearer scheme is declared where a token is asked for (the hook checks it).
        dependencies=[Security(openapi.BEARER)] if authorize is not None else [],
    )
    LogDep = Annotated[AuditLog, Depends(get_log)]
    CallerDep = Annotated[Any, Depends(authorize or _anyone)]
    sees = may_see or _everything

    @router.get(
        "/checkpoint",
        response_class=Response,
        responses=answers(TEXT, {"type": "string"}),
        openapi_extra=operation(),
    )
    async def checkpoint(request: Request, log: LogDep, _caller: CallerDep) -> Response:
        """The latest signed checkpoint (a C2SP signed note)."""
        latest = await _latest(log)
        return _respond(request, latest.note.encode(), TEXT, NO_CACHE)

    @router.get(
        "/key",
        response_class=Response,
        responses=answers(TEXT, {"type": "string"}),
        openapi_extra=operation(),
    )
    async def key(request: Request, log: LogDep, _caller: CallerDep) -> Response:
        """The node's verifier key line."""
        return _respond(request, f"{log.verifier.vkey}\n".encode(), TEXT, NO_CACHE)

    @router.get(
        "/entries",
        response_class=Response,
        responses=answers(JSON, openapi.PAGE, 400, 416),
        openapi_extra=operation(
            whole_number("start", "The first entry's index", default=0),
            whole_number("limit", f"Entries, 1 to {PAGE_LIMIT_MAX}", default=PAGE_LIMIT_DEFAULT),
            openapi.PREFER_WAIT,
        ),
    )
    async def entries(request: Request, log: LogDep, caller: CallerDep) -> Response:
        """A page of entries from ``start``; ``Prefer: wait=S`` long-polls at the head."""
        start = _integer(request, "start", 0)
        limit = _integer(request, "limit", PAGE_LIMIT_DEFAULT)
        if not 1 <= limit <= PAGE_LIMIT_MAX:
            raise Problem(400, f"limit must be from 1 to {PAGE_LIMIT_MAX}, not {limit}")
        latest = await _latest(log)
        _within(start, latest, "start")
        wait = _prefer_wait(request)
        if start == latest.size and wait > 0 and await log.notifier.wait_beyond(latest.size, wait):
            latest = await _latest(log)
        end = start + limit
        if end <= latest.size:
            covering = await run_in_threadpool(log.covering_checkpoint, end)
            page_checkpoint, stop, cache = covering or latest, end, IMMUTABLE
            # A reference relative to this node, not a URL built from the request's Host
            # header: a client could name any host there, and this page is cached for a
            # year, by shared caches too.
            next_url: str | None = f"{request.url.path}?start={end}&limit={limit}"
        else:
            page_checkpoint, stop, cache, next_url = latest, latest.size, NO_CACHE, None
        body = await run_in_threadpool(
            lambda: _page_body(
                log.origin,
                start,
                log.entries(start, stop),
                lambda entry: sees(caller, entry),
                page_checkpoint,
                next_url,
            )
        )
        return _respond(request, body, JSON, cache)

    @router.get(
        "/proof/inclusion",
        response_class=Response,
        responses=answers(JSON, openapi.INCLUSION, 400, 416),
        openapi_extra=operation(
            whole_number("index", "The entry's index, below size"),
            whole_number("size", "The tree's size, at most the latest checkpoint's"),
        ),
    )
    async def inclusion(request: Request, log: LogDep, _caller: CallerDep) -> Response:
        """The RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
        index, size = _integer(request, "index"), _integer(request, "size")
        _within(size, await _latest(log), "size")
        if index >= size:
            raise Problem(400, f"index {index} is not in a tree of size {size}")
        hashes = await run_in_threadpool(log.inclusion_proof, index, size)
        body = {"index": index, "size": size, "hashes": [b64encode(h) for h in hashes]}
        return _respond(request, _dumps(body), JSON, IMMUTABLE)

    @router.get(
        "/proof/consistency",
        response_class=Response,
        responses=answers(JSON, openapi.CONSISTENCY, 400, 416),
        openapi_extra=operation(
            whole_number("from", "The older tree's size, at most to"),
            whole_number("to", "The newer tree's size, at most the latest checkpoint's"),
        ),
    )
    async def consistency(request: Request, log: LogDep, _caller: CallerDep) -> Response:
        """The RFC 9162 consistency proof from tree size ``from`` to tree size ``to``."""
        first, second = _integer(request, "from"), _integer(request, "to")
        if first > second:
            raise Problem(400, f"from ({first}) must not be larger than to ({second})")
        _within(second, await _latest(log), "to")
        hashes = await run_in_threadpool(log.consistency_proof, first, second)
        body = {"from": first, "to": second, "hashes": [b64encode(h) for h in hashes]}
        return _respond(request, _dumps(body), JSON, IMMUTABLE)

    # Last: what no route above takes (another path, another method) is a problem too,
    # as the protocol asks of every error, not the app's plain JSON.
    known = {route.path for route in router.routes if isinstance(route, APIRoute)}

    @router.api_route("/{rest:path}", methods=ALL_METHODS, include_in_schema=False)
    async def elsewhere(request: Request) -> Response:
        if request.url.path in known:
            raise Problem(405, f"{request.method} is not served here: use GET", {"Allow": "GET"})
        raise Problem(404, f"the feed has no {request.url.path[:200]}")

    return router
