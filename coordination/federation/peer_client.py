"""Reading a peer's feed (FEED-PROTOCOL §4) as a partner node: every request signed with
the node's log key (RFC 9421), so the peer shows what this partner may see, and every
answer parsed strictly. An answer that is not what the protocol says (a wrong status,
malformed JSON, a field of the wrong type) is a `PeerAnswerError` naming what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from coordination.audit._encoding import b64decode_strict
from coordination.audit.feed_path import FEED_PREFIX
from coordination.audit.merkle import HASH_SIZE
from coordination.audit.note import Signer

from .request_signing import signature_headers

#: Longest answer read from a peer: a page of 1000 entries of a few kB each, with room.
MAX_ANSWER = 64 << 20


class PeerAnswerError(Exception):
    """The peer is down, slow, or answered something the protocol does not allow."""


@dataclass(frozen=True)
class PageEntry:
    """An entry as a page serves it: its index, leaf hash, and event (None: a stub)."""

    index: int
    leaf_hash: bytes
    event: dict[str, Any] | None


@dataclass(frozen=True)
class Peer:
    """A partner to sync: its log's origin and where its node is reached."""

    origin: str
    base_url: str


def _hash(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise PeerAnswerError(f"{what} is not base64 text")
    try:
        decoded = b64decode_strict(value)
    except ValueError as error:
        raise PeerAnswerError(f"{what}: {error}") from None
    if len(decoded) != HASH_SIZE:
        raise PeerAnswerError(f"{what} has {len(decoded)} bytes, not {HASH_SIZE}")
    return decoded


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PeerAnswerError(f"{what} is not a whole number from 0")
    return value


class PeerClient:
    """Signed reads of one peer's feed.

    Args:
        peer: The peer.
        signer: This node's log key, named by its origin (the signature's ``keyid``).
        client: The HTTP client (its timeout bounds a slow peer).
    """

    def __init__(self, peer: Peer, signer: Signer, client: httpx.AsyncClient) -> None:
        self.peer = peer
        self._signer = signer
        self._client = client
        self._base = peer.base_url.rstrip("/") + FEED_PREFIX

    async def _get(self, path_and_query: str, media: str, wait: int = 0) -> bytes:
        url = self._base + path_and_query
        headers = signature_headers("GET", url, self._signer)
        if wait:
            headers["Prefer"] = f"wait={wait}"
        try:
            response = await self._client.get(url, headers=headers)
        except httpx.TimeoutException:
            raise PeerAnswerError(f"GET {path_and_query} timed out") from None
        except httpx.HTTPError as error:
            raise PeerAnswerError(f"GET {path_and_query} failed: {type(error).__name__}") from None
        if response.status_code != 200:
            detail = response.text[:200].replace("\n", " ")
            raise PeerAnswerError(f"GET {path_and_query} answered {response.status_code}: {detail}")
        if not response.headers.get("content-type", "").startswith(media):
            raise PeerAnswerError(f"GET {path_and_query} answered no {media}")
        if len(response.content) > MAX_ANSWER:
            raise PeerAnswerError(f"GET {path_and_query} answered more than {MAX_ANSWER} bytes")
        return response.content

    async def _json(self, path_and_query: str) -> dict[str, Any]:
        body = await self._get(path_and_query, "application/json")
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise PeerAnswerError(f"GET {path_and_query} answered malformed JSON") from None
        if not isinstance(parsed, dict):
            raise PeerAnswerError(f"GET {path_and_query} answered no JSON object")
        return parsed

    async def checkpoint(self) -> str:
        """The peer's latest signed checkpoint note, unverified."""
        body = await self._get("/checkpoint", "text/plain")
        try:
            return body.decode()
        except UnicodeDecodeError:
            raise PeerAnswerError("its checkpoint is not UTF-8 text") from None

    async def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The consistency proof from size ``first`` to ``second``, as served."""
        path = f"/proof/consistency?from={first}&to={second}"
        body = await self._json(path)
        hashes = body.get("hashes")
        if body.get("from") != first or body.get("to") != second or not isinstance(hashes, list):
            raise PeerAnswerError(f"GET {path} answered another proof than asked for")
        return [_hash(h, f"proof hash {i}") for i, h in enumerate(hashes)]

    async def page(self, start: int, limit: int) -> list[PageEntry]:
        """The entries from ``start``, at most ``limit``, contiguous and in order.

        Raises:
            PeerAnswerError: The page is malformed, of another origin or start, empty,
                longer than asked, or its indexes are not contiguous from ``start``.
        """
        path = f"/entries?start={start}&limit={limit}"
        body = await self._json(path)
        items = body.get("entries")
        if body.get("origin") != self.peer.origin:
            raise PeerAnswerError(f"the page is of {str(body.get('origin'))[:80]!r}, not its log")
        if body.get("start") != start or not isinstance(items, list):
            raise PeerAnswerError(f"the page does not start at {start} with a list of entries")
        if not 0 < len(items) <= limit:
            raise PeerAnswerError(f"the page holds {len(items)} entries, asked for 1 to {limit}")
        entries = []
        for offset, item in enumerate(items):
            where = f"entry {start + offset}"
            if not isinstance(item, dict) or _int(item.get("index"), where) != start + offset:
                raise PeerAnswerError(f"{where} is missing or out of order")
            event = item.get("event")
            if event is not None and not isinstance(event, dict):
                raise PeerAnswerError(f"{where}: its event is neither an object nor null")
            entries.append(
                PageEntry(
                    start + offset, _hash(item.get("leaf_hash"), f"{where}'s leaf hash"), event
                )
            )
        return entries

    async def wait_for_more(self, size: int, seconds: int) -> None:
        """Return once the peer signs entries beyond ``size`` or ``seconds`` pass (a long
        poll on its head page, ``Prefer: wait``); at once when it has more already."""
        await self._get(f"/entries?start={size}&limit=1", "application/json", wait=seconds)
