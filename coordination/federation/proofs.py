"""The feed's RFC 9162 proofs (``/proof/inclusion``, ``/proof/consistency``), within the
latest signed checkpoint; a proof between two sizes never changes."""

from __future__ import annotations

import orjson
from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from coordination.audit._encoding import b64encode
from coordination.audit.log import AuditLog

from . import caching
from .problems import Problem
from .reading import integer, latest, within

JSON = "application/json"


async def inclusion_proof(request: Request, log: AuditLog, caller: object) -> Response:
    """The inclusion proof of entry ``index`` in the tree of ``size`` entries (§2.1.3).

    Args:
        request: The request (``index``, ``size``).
        log: The node's log.
        caller: Who asks (None: an anonymous caller), for the caching headers.
    """
    index, size = integer(request, "index"), integer(request, "size")
    within(size, await latest(log), "size")
    if index >= size:
        raise Problem(400, f"index {index} is not in a tree of size {size}")
    hashes = await run_in_threadpool(log.inclusion_proof, index, size)
    body = {"index": index, "size": size, "hashes": [b64encode(h) for h in hashes]}
    return caching.respond(
        request, orjson.dumps(body), JSON, caching.for_caller(caller, immutable=True)
    )


async def consistency_proof(request: Request, log: AuditLog, caller: object) -> Response:
    """The consistency proof from tree size ``from`` to tree size ``to`` (§2.1.4).

    Args:
        request: The request (``from``, ``to``).
        log: The node's log.
        caller: Who asks (None: an anonymous caller), for the caching headers.
    """
    first, second = integer(request, "from"), integer(request, "to")
    if first > second:
        raise Problem(400, f"from ({first}) must not be larger than to ({second})")
    within(second, await latest(log), "to")
    hashes = await run_in_threadpool(log.consistency_proof, first, second)
    body = {"from": first, "to": second, "hashes": [b64encode(h) for h in hashes]}
    return caching.respond(
        request, orjson.dumps(body), JSON, caching.for_caller(caller, immutable=True)
    )
