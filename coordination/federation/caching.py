"""How the feed's answers may be cached (RFC 9111), and its conditional requests.

FEED-PROTOCOL.md §4 and decision 37:

- ``/key`` and ``/checkpoint`` are public and ignore who asks, so they are ``public``: a
  shared cache may keep them even for a request that carried a token (RFC 9111 §3.5).
  The key changes only when an operator rotates it, so it may be reused for five
  minutes; a checkpoint changes with every batch of entries, so it is ``no-cache``.
- Everything else shows what the caller may see, so its answer is ``private`` to an
  authenticated caller: a shared cache must not hand one caller's page to another, nor
  let a caller without a token read what the node would refuse it. ``Vary`` names the
  headers that say who asks (a bearer token, an RFC 9421 signature), so a cache does
  not give the answer to one caller to another either. Only what an anonymous caller
  is served, which shows nothing but public content, is ``public``.
- What lies wholly below the latest checkpoint never changes for a given caller:
  ``immutable`` for a year. The head page is ``no-cache``.

The ETag is a digest of the exact body, so ``If-None-Match`` answers 304 exactly when
the client already has these bytes.
"""

from __future__ import annotations

import hashlib

from fastapi import Request, Response

YEAR_S = 31_536_000
KEY_MAX_AGE_S = 300
#: The headers that say who asks: a bearer token, or a partner's RFC 9421 signature.
CALLER_HEADERS = "Authorization, Signature, Signature-Input"
KEY = {"Cache-Control": f"public, max-age={KEY_MAX_AGE_S}"}
CHECKPOINT = {"Cache-Control": "public, no-cache"}


def for_caller(caller: object, *, immutable: bool) -> dict[str, str]:
    """The caching headers of an answer that depends on, or is served only to, its caller.

    Args:
        caller: What the ``authorize`` hook returned; None for an anonymous caller.
        immutable: Whether the answer lies wholly below the latest checkpoint.
    """
    scope = "public" if caller is None else "private"
    freshness = f"max-age={YEAR_S}, immutable" if immutable else "no-cache"
    return {"Cache-Control": f"{scope}, {freshness}", "Vary": CALLER_HEADERS}


def etag(body: bytes) -> str:
    """The strong ETag of ``body``: a digest of its exact bytes."""
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def matches(request: Request, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {given.strip().removeprefix("W/") for given in header.split(",")}
    return "*" in tags or tag in tags


def respond(request: Request, body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    """``body`` with its ETag and ``headers``, or 304 with the same headers when the
    client has it (RFC 9110 §15.4.5: a 304 carries what the 200 would have)."""
    tag = etag(body)
    headers = {"ETag": tag, **headers}
    if matches(request, tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
