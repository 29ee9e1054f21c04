"""The node as a witness of its partners' logs over HTTP (FEED-PROTOCOL §7, C2SP
tlog-witness v1.0.0): ``POST /federation/v1/witness/add-checkpoint`` and
``GET /federation/v1/witness/key``.

The log key of a checkpoint's origin is the one the partner registry (the node's own
log, decision 42) holds valid now for an admitted partner. Refusals are problem
documents with the standard's status, but for 409, whose body the standard fixes: the
size this witness last cosigned, as ``text/x.tlog.size``.

(No postponed annotations here: FastAPI must see the dependency types built in the factory.)
"""

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from coordination.audit.cosignature import Cosigner
from coordination.audit.feed_path import FEED_PREFIX
from coordination.audit.keys import SigningKeyError
from coordination.audit.log import AuditLog
from coordination.audit.note import NoteError, Verifier
from coordination.audit.witness import AddCheckpoint, WitnessRefusal, add_checkpoint, parse_request
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries.partners import admitted_partner

from . import openapi
from .problems import Problem, method_not_allowed
from .route import FeedRoute
from .router import ALL_METHODS

TEXT = "text/plain; charset=utf-8"
SIZE = "text/x.tlog.size"
REFUSAL = "Witness-Refusal"
"""The header carrying a 409's reason, since the standard fixes its body."""


async def log_key_now(db: ReadDatabase | None, origin: str) -> Verifier | None:
    """The log key the registry holds valid now for ``origin``'s admitted partner."""
    if db is None:
        raise Problem(503, "the partner registry is not read yet; try again shortly")
    partner = await admitted_partner(db, origin)
    key = partner.key_valid_at(datetime.now(UTC)) if partner is not None else None
    if key is None:
        return None
    try:
        return Verifier.from_vkey(key.vkey)
    except NoteError:
        return None


def _not_allowed(allow: tuple[str, ...]) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    async def not_allowed(request: Request) -> Response:
        raise method_not_allowed(request.method, allow)

    return not_allowed


def witness_router(
    get_log: Callable[..., AuditLog],
    partners: Callable[[Request], ReadDatabase | None],
    cosigner: Callable[[], Cosigner],
) -> APIRouter:
    """The witness's routes, to include before ``feed_router`` (whose last route takes
    every other path of the feed).

    Args:
        get_log: A FastAPI dependency returning the node's ``AuditLog``.
        partners: The read database holding the partner registry's view.
        cosigner: The node's witness key (made on first need).
    """
    router = APIRouter(prefix=f"{FEED_PREFIX}/witness", route_class=FeedRoute, tags=["federation"])
    LogDep = Annotated[AuditLog, Depends(get_log)]

    def key_of_witness() -> Cosigner:
        try:
            return cosigner()
        except SigningKeyError as error:
            raise Problem(503, f"this node has no usable witness key: {error}") from None

    async def key() -> Response:
        """This node's witness verifier key (a vkey of type 0x04); public."""
        return Response(f"{key_of_witness().verifier.vkey}\n", media_type=TEXT)

    key_answers: dict[int | str, Any] = {
        200: {"description": "The witness's vkey line", "content": {TEXT: {}}},
        503: openapi.problem("This node has no usable witness key"),
    }
    for method, declared in (("GET", key_answers), ("HEAD", openapi.without_bodies(key_answers))):
        router.add_api_route(
            "/key", key, methods=[method], response_class=Response, responses=declared
        )

    @router.post(
        "/add-checkpoint",
        response_class=Response,
        responses={
            200: {"content": {TEXT: {}}, "description": "The cosignature line"},
            400: openapi.problem(
                "The request is malformed, or its old size is above the checkpoint's"
            ),
            403: openapi.problem("The checkpoint bears no signature by the origin's log key"),
            404: openapi.problem("The origin is no partner this node witnesses"),
            409: {"content": {SIZE: {}}, "description": "The size last cosigned"},
            422: openapi.problem("The consistency proof does not verify"),
            503: openapi.problem("The partner registry or the witness key is not ready"),
        },
    )
    async def add(request: Request, log: LogDep) -> Response:
        """Cosign a partner's checkpoint given the consistency proof from the one this
        witness last cosigned for that origin (C2SP tlog-witness v1.0.0)."""
        witness = key_of_witness()
        try:
            parsed: AddCheckpoint = parse_request(await request.body())
            log_key = await log_key_now(partners(request), parsed.checkpoint.origin)
            line = await run_in_threadpool(
                add_checkpoint, parsed, log_key, log.witness_store, witness
            )
        except WitnessRefusal as refusal:
            if refusal.status == 409:
                return Response(
                    f"{refusal.size}\n",
                    status_code=409,
                    media_type=SIZE,
                    headers={REFUSAL: refusal.detail},
                )
            raise Problem(refusal.status, refusal.detail) from None
        return Response(line, media_type=TEXT)

    # Another method on a witness path is a 405 naming the one served, as on the feed's
    # own paths (the feed's last route would call the path unknown).
    for path, allow in (("/key", ("GET", "HEAD")), ("/add-checkpoint", ("POST",))):
        router.add_api_route(
            path,
            _not_allowed(allow),
            methods=[method for method in ALL_METHODS if method not in allow],
            include_in_schema=False,
        )

    return router
