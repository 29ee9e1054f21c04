"""The partner feed over HTTP (FEED-PROTOCOL.md §4), under ``/federation/v1``: which
route serves what, to whom, and what the OpenAPI document says of it.

Every answer serves the log up to its latest signed checkpoint only, so every entry
served can be verified against a checkpoint. The answers are made in ``public`` (the
key and the checkpoint), ``pages`` (entries) and ``proofs``; ``caching`` says who may
keep which answer, and ``long_poll`` how ``Prefer: wait=S`` waits. Every route answers
``GET`` and ``HEAD`` (``route.FeedRoute``).

``/key`` and ``/checkpoint`` are public: they ask for no token and look at none, so they
are the same for everyone (decision 37). The other routes ask the ``authorize`` hook, a
FastAPI dependency that returns the caller (None for an anonymous one) or raises
``HTTPException(401/403)`` (``access.FeedAccess`` on the node); ``may_see(caller, entry)``
(``callers.may_see``) decides whether a caller gets an
entry's event or only its leaf hash (``event: null``).

(No postponed annotations here: FastAPI must see the dependency types built in the factory.)
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.routing import APIRoute

from coordination.audit.feed_path import FEED_PREFIX
from coordination.audit.log import AuditLog
from coordination.audit.storage import LogEntry

from . import openapi, pages, proofs, public, stream
from .openapi import answers, operation, whole_number
from .problems import Problem, method_not_allowed
from .route import FeedRoute

PREFIX = FEED_PREFIX
#: Every method a request may come with: the feed serves GET and HEAD, refuses the others.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
SERVED = ("GET", "HEAD")
TEXT_ANSWERS = answers(public.TEXT, {"type": "string"}, guarded=False)

MaySee = Callable[[Any, LogEntry], bool]
Handler = Callable[..., Any]


def _anyone() -> None:
    return None


def _everything(_caller: Any, _entry: LogEntry) -> bool:
    return True


def feed_router(
    get_log: Callable[..., AuditLog],
    *,
    authorize: Callable[..., Any] | None = None,
    may_see: MaySee | None = None,
    anonymous: bool = True,
) -> APIRouter:
    """The feed's routes, to ``include_router`` into the node's app.

    Args:
        get_log: A FastAPI dependency returning the node's ``AuditLog``.
        authorize: A FastAPI dependency returning the caller (None for an anonymous
            one), or raising ``HTTPException`` (401/403); asked by every route but the
            public ``/key`` and ``/checkpoint``. Everyone is let in, anonymously, when
            not given.
        may_see: Whether a caller may see an entry's event; everything when not given.
        anonymous: Whether `authorize` lets callers without credentials in (the OpenAPI
            document then says the token is optional).
    """
    router = APIRouter(prefix=PREFIX, route_class=FeedRoute, tags=["federation"])
    # The bearer scheme is declared where a token is asked for (the hook checks it).
    bearer = [Security(openapi.BEARER)] if authorize is not None else []
    # An empty requirement beside the token's makes it optional (OpenAPI 3.1 §4.8.30).
    optional: dict[str, Any] = {"security": [{}]} if bearer and anonymous else {}
    LogDep = Annotated[AuditLog, Depends(get_log)]
    CallerDep = Annotated[Any, Depends(authorize or _anyone)]
    sees = may_see or _everything

    def serve(
        path: str, responses: dict[int | str, Any], *parameters: dict[str, Any], guarded: bool
    ) -> Callable[[Handler], Handler]:
        """Register a handler for ``GET`` and for ``HEAD`` of ``path``, an operation each;
        ``guarded``: whether it asks ``authorize`` (and the OpenAPI document for a token)."""

        def register(handler: Handler) -> Handler:
            for method, declared in (
                ("GET", responses),
                ("HEAD", openapi.without_bodies(responses)),
            ):
                router.add_api_route(
                    path,
                    handler,
                    methods=[method],
                    response_class=Response,
                    responses=declared,
                    openapi_extra=operation(*parameters) | (optional if guarded else {}),
                    dependencies=bearer if guarded else [],
                )
            return handler

        return register

    @serve(
        "/checkpoint",
        TEXT_ANSWERS,
        openapi.prefer_wait("when `If-None-Match` names the latest checkpoint", "a newer one"),
        guarded=False,
    )
    async def checkpoint(request: Request, log: LogDep) -> Response:
        """The latest signed checkpoint (a C2SP signed note); public. With `Prefer: wait=S`
        and `If-None-Match` naming it, waits up to S s for a newer one (304 if none came)."""
        return await public.checkpoint(request, log)

    @serve("/key", TEXT_ANSWERS, guarded=False)
    async def key(request: Request, log: LogDep) -> Response:
        """The node's verifier key line; public."""
        return await public.key(request, log)

    @serve(
        "/entries",
        answers(pages.JSON, openapi.PAGE, 400, 416),
        whole_number("start", "The first entry's index", default=0),
        whole_number("limit", f"Entries, 1 to {pages.LIMIT_MAX}", default=pages.LIMIT_DEFAULT),
        openapi.prefer_wait("at the head (`start` the latest checkpoint's size)", "new entries"),
        guarded=True,
    )
    async def entries(request: Request, log: LogDep, caller: CallerDep) -> Response:
        """A page of entries from ``start``; ``Prefer: wait=S`` long-polls at the head."""
        return await pages.entries_page(request, log, caller, lambda entry: sees(caller, entry))

    @serve(
        "/proof/inclusion",
        answers(proofs.JSON, openapi.INCLUSION, 400, 416),
        whole_number("index", "The entry's index, below size"),
        whole_number("size", "The tree's size, at most the latest checkpoint's"),
        guarded=True,
    )
    async def inclusion(request: Request, log: LogDep, caller: CallerDep) -> Response:
        """The RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
        return await proofs.inclusion_proof(request, log, caller)

    @serve(
        "/proof/consistency",
        answers(proofs.JSON, openapi.CONSISTENCY, 400, 416),
        whole_number("from", "The older tree's size, at most to"),
        whole_number("to", "The newer tree's size, at most the latest checkpoint's"),
        guarded=True,
    )
    async def consistency(request: Request, log: LogDep, caller: CallerDep) -> Response:
        """The RFC 9162 consistency proof from tree size ``from`` to tree size ``to``."""
        return await proofs.consistency_proof(request, log, caller)

    @serve(
        "/stream",
        answers(stream.MEDIA_TYPE, openapi.STREAM_EVENT, 400, 416),
        whole_number(
            "start", "The first entry's index (after `Last-Event-ID` when sent)", default=0
        ),
        guarded=True,
    )
    async def events(request: Request, log: LogDep, caller: CallerDep) -> Response:
        """Server-Sent Events: one entry per `message`, `id` its index, from `start` or
        after `Last-Event-ID`; follows the log, each checkpoint as a `checkpoint` event."""
        return await stream.entry_stream(request, log, lambda entry: sees(caller, entry))

    # Last: what no route above takes (another path, another method) is a problem too,
    # as the protocol asks of every error, not the app's plain JSON.
    known = {route.path for route in router.routes if isinstance(route, APIRoute)}

    @router.api_route("/{rest:path}", methods=ALL_METHODS, include_in_schema=False)
    async def elsewhere(request: Request) -> Response:
        if request.url.path in known:
            raise method_not_allowed(request.method, SERVED)
        raise Problem(404, f"the feed has no {request.url.path[:200]}")

    return router
