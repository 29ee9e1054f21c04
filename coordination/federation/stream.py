"""``/stream``: the log as Server-Sent Events (FEED-PROTOCOL §4), one entry per
``message`` with the entry's index as its ``id``, as a page shows it (the event, or
``null`` and the leaf hash for what the caller may not see). It starts at ``start``, or
after the ``Last-Event-ID`` a reconnecting client sends, and follows the log as new
checkpoints are signed. Entries go only up to the latest checkpoint, which follows them
as a ``checkpoint`` event (the note, one ``data`` line per line), so a client can verify
what it received; a comment every `KEEPALIVE_S` keeps idle connections open.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from coordination.audit.log import AuditLog
from coordination.audit.storage import LogEntry

from .caching import CALLER_HEADERS
from .pages import entry_item
from .problems import Problem
from .reading import integer, latest, within

MEDIA_TYPE = "text/event-stream"
#: Entries read from storage at a time.
CHUNK = 500
KEEPALIVE_S = 15
_DIGITS = re.compile(r"[0-9]{1,20}")


def first_index(request: Request) -> int:
    """Where the stream starts: after ``Last-Event-ID`` when a client resumes, else at
    ``start`` (0 when not given); a malformed one is a 400 problem."""
    start = integer(request, "start", 0)
    resumed = request.headers.get("last-event-id")
    if resumed is None or not resumed.strip():
        return start
    if not _DIGITS.fullmatch(resumed.strip()):
        raise Problem(400, f"Last-Event-ID must be an entry's index, not {resumed[:40]!r}")
    return int(resumed) + 1


def _checkpoint_event(note: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in note.rstrip("\n").split("\n"))
    return f"event: checkpoint\n{lines}\n".encode()


async def _events(
    request: Request, log: AuditLog, start: int, visible: Callable[[LogEntry], bool]
) -> AsyncIterator[bytes]:
    position = start
    while True:
        head = await latest(log)
        while position < head.size:
            stop = min(position + CHUNK, head.size)
            entries = await run_in_threadpool(log.entries, position, stop)
            yield b"".join(
                b"id: %d\ndata: %s\n\n" % (entry.index, entry_item(entry, visible))
                for entry in entries
            )
            position = stop
            if position == head.size:
                yield _checkpoint_event(head.note)
        if await request.is_disconnected():
            return
        if not await log.notifier.wait_beyond(head.size, KEEPALIVE_S):
            yield b": keep-alive\n\n"


async def entry_stream(
    request: Request, log: AuditLog, visible: Callable[[LogEntry], bool]
) -> StreamingResponse:
    """The stream the request asks for (``start``, ``Last-Event-ID``).

    Args:
        request: The request.
        log: The node's log.
        visible: Whether the caller may see an entry's event.
    """
    start = first_index(request)
    within(start, await latest(log), "start")
    headers = {
        "Cache-Control": "no-store",
        "Vary": CALLER_HEADERS,
        # Proxies that buffer answers would hold the events back.
        "X-Accel-Buffering": "no",
    }
    return StreamingResponse(
        _events(request, log, start, visible), media_type=MEDIA_TYPE, headers=headers
    )
