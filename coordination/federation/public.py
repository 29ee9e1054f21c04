"""The feed's public endpoints: the verifier key (``/key``) and the latest checkpoint
(``/checkpoint``), which anyone may fetch so that anyone can check a checkpoint or a
proof (FEED-PROTOCOL.md §4). They look at no credentials: a token or a signature sent
with them is neither checked nor refused, so their answers are the same for everyone
and may be kept by shared caches (decision 37)."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from coordination.audit.log import AuditLog

from . import caching, long_poll
from .reading import latest

TEXT = "text/plain; charset=utf-8"


async def checkpoint(request: Request, log: AuditLog) -> Response:
    """The latest signed checkpoint (a C2SP signed note), with the cosignatures gathered
    for it from the partners' witnesses appended as extra signature lines (§7).

    With ``Prefer: wait=S`` and ``If-None-Match`` naming the latest checkpoint as the
    client has it, the answer waits up to S s for a newer one, or for new cosignatures of
    it gathered by this process: 200 with it, or 304 when nothing came. A client without
    the latest gets it at once.
    """
    cosigned = log.notifier.cosigned  # before the read: a gathering after it wakes the wait
    head = await latest(log)
    body = (await run_in_threadpool(log.cosigned_note, head)).encode()
    headers = dict(caching.CHECKPOINT)
    wait = long_poll.preferred_wait(request)
    if wait and caching.matches(request, caching.etag(body)):
        headers.update(long_poll.applied(wait))
        await long_poll.wait_beyond(request, log.notifier, head.size, wait, cosigned)
        head = await latest(log)
        body = (await run_in_threadpool(log.cosigned_note, head)).encode()
    return caching.respond(request, body, TEXT, headers)


async def key(request: Request, log: AuditLog) -> Response:
    """The node's verifier key line."""
    return caching.respond(request, f"{log.verifier.vkey}\n".encode(), TEXT, caching.KEY)
