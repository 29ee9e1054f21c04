"""``Prefer: wait=S`` (RFC 7240) on the feed: a long poll for a newer checkpoint.

A client that already has the head (the head page of entries, or the latest checkpoint
named by its ``If-None-Match``) may ask the node to hold the answer until a newer
checkpoint is signed, for at most ``WAIT_MAX_S`` seconds. The wait is an
``asyncio.Event`` on the event loop (``LogNotifier``), so a waiting request holds no
worker thread, and it ends as soon as the client goes away: the waiter is removed at
once rather than at the end of the wait.
"""

from __future__ import annotations

import asyncio
import re

from fastapi import Request

from coordination.audit.notifier import LogNotifier

WAIT_MAX_S = 25
_WAIT = re.compile(r"\s*wait\s*=\s*\"?([0-9]{1,10})\"?\s*", re.IGNORECASE)


def preferred_wait(request: Request) -> int:
    """The seconds of ``Prefer: wait=S``, at most ``WAIT_MAX_S``; 0 when none is asked
    for (a malformed preference is ignored, as RFC 7240 §2 asks)."""
    for header in request.headers.getlist("prefer"):
        for preference in header.split(","):
            match = _WAIT.fullmatch(preference.split(";")[0])
            if match:
                return min(int(match.group(1)), WAIT_MAX_S)
    return 0


def applied(seconds: int) -> dict[str, str]:
    """The ``Preference-Applied`` header of an answer that waited up to ``seconds``
    (fewer than the client asked for when it asked for more than ``WAIT_MAX_S``)."""
    return {"Preference-Applied": f"wait={seconds}"}


async def _client_gone(request: Request) -> None:
    # After a request's body, an ASGI server's `receive` waits until the client
    # disconnects (or the answer is sent).
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def wait_beyond(
    request: Request, notifier: LogNotifier, size: int, seconds: int, cosigned: int | None = None
) -> bool:
    """Wait until a checkpoint larger than ``size`` is signed, ``seconds`` pass, or the
    client goes away; given ``cosigned`` (the notifier's generation of cosignatures
    seen), also until cosignatures are gathered in this process.

    Returns:
        Whether a larger checkpoint was signed meanwhile.
    """
    grown = asyncio.ensure_future(notifier.wait_beyond(size, seconds, cosigned))
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        await asyncio.wait({grown, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (grown, gone):
            task.cancel()
        # Awaited, so the notifier has dropped the waiter before the answer is made.
        await asyncio.gather(grown, gone, return_exceptions=True)
    return notifier.size > size
