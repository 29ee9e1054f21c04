"""The feed's pages of entries (``/entries``): a page below the latest checkpoint, or the
head page, which long-polls with ``Prefer: wait=S``.

A page wholly below the latest checkpoint never changes for a given caller: it carries
the smallest signed checkpoint that covers it (also immutable). The head page carries
the latest checkpoint. Events are spliced into the body as their stored bytes, after
checking they are JSON, so what a reader hashes is what was signed.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from coordination.audit._encoding import b64encode
from coordination.audit.log import AuditLog
from coordination.audit.storage import LogEntry, StoredCheckpoint

from . import caching, long_poll
from .problems import Problem
from .reading import integer, latest, within

LIMIT_MAX = 1000
LIMIT_DEFAULT = 100
JSON = "application/json"


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


def entry_item(entry: LogEntry, visible: Callable[[LogEntry], bool]) -> bytes:
    """An entry as a page (and the stream) serve it: its index, its leaf hash, and its
    event as the stored bytes, or ``null`` when the caller may not see it."""
    event = _event_bytes(entry) if visible(entry) else b"null"
    return b'{"index":%d,"leaf_hash":"%s","event":%s}' % (
        entry.index,
        b64encode(entry.leaf_hash).encode(),
        event,
    )


def _page_body(
    origin: str,
    start: int,
    entries: list[LogEntry],
    visible: Callable[[LogEntry], bool],
    checkpoint: StoredCheckpoint,
    next_url: str | None,
) -> bytes:
    items = [entry_item(e, visible) for e in entries]
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


async def entries_page(
    request: Request, log: AuditLog, caller: object, visible: Callable[[LogEntry], bool]
) -> Response:
    """The page of entries the request asks for (``start``, ``limit``, ``Prefer``).

    Args:
        request: The request.
        log: The node's log.
        caller: Who asks (None: an anonymous caller), for the caching headers.
        visible: Whether the caller may see an entry's event.
    """
    start = integer(request, "start", 0)
    limit = integer(request, "limit", LIMIT_DEFAULT)
    if not 1 <= limit <= LIMIT_MAX:
        raise Problem(400, f"limit must be from 1 to {LIMIT_MAX}, not {limit}")
    head = await latest(log)
    within(start, head, "start")
    applied: dict[str, str] = {}
    wait = long_poll.preferred_wait(request)
    if start == head.size and wait:
        applied = long_poll.applied(wait)
        if await long_poll.wait_beyond(request, log.notifier, head.size, wait):
            head = await latest(log)
    end = start + limit
    if end <= head.size:
        covering = await run_in_threadpool(log.covering_checkpoint, end)
        page_checkpoint, stop, immutable = covering or head, end, True
        # A reference relative to this node, not a URL built from the request's Host
        # header: a client could name any host there, and this page is cached for a year.
        next_url: str | None = f"{request.url.path}?start={end}&limit={limit}"
    else:
        page_checkpoint, stop, immutable, next_url = head, head.size, False, None
    body = await run_in_threadpool(
        lambda: _page_body(
            log.origin, start, log.entries(start, stop), visible, page_checkpoint, next_url
        )
    )
    headers = {**caching.for_caller(caller, immutable=immutable), **applied}
    return caching.respond(request, body, JSON, headers)
