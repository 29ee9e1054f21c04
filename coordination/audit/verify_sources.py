"""Where ``verify`` reads a log from: what every source gives, and a node over HTTP.

The other sources are an export bundle on disk (``bundle_source``) and the node's own
database (``storage_source``). Sources report what they were given and judge nothing: a
malformed line or a leaf hash that does not decode becomes an entry with a ``problem``,
for the verifier to name.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx
import orjson

from ._encoding import b64decode_strict
from .canonical import canonical_json
from .feed_path import FEED_PREFIX

if TYPE_CHECKING:
    from datetime import datetime

    from .checkpoint import Checkpoint

PAGE_SIZE = 1000
#: The most a node's answer may hold. A page of PAGE_SIZE entries is a few MB; of the
#: largest events the domain takes (20 000 characters of text, each escaped in JSON as
#: up to six bytes), still under 150 MB.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024


class SourceError(RuntimeError):
    """The source cannot be read at all; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One entry as the source gives it.

    Attributes:
        index: The index the source claims.
        leaf_hash: The leaf hash the source claims (None if it gave none or a bad one).
        entry: The entry bytes, None when the source withholds the event.
        envelope: The parsed envelope, when the source had it parsed already.
        problem: What is wrong with the entry as given, if anything.
        notification_id: The event table's id of the entry's event, where the source
            knows it (the node's own database).
        columns: What the source stores beside the bytes, where it does (the node's own
            database): event id, stream id, stream version, type and audience.
    """

    index: int
    leaf_hash: bytes | None
    entry: bytes | None
    envelope: Any = None
    problem: str | None = None
    notification_id: int | None = None
    columns: tuple[str, str, int, str, str] | None = None


class LogSource(Protocol):
    """A log to verify."""

    description: str

    def checkpoint_note(self) -> str:
        """The signed checkpoint to verify against."""

    def own_key(self) -> str:
        """The verifier key line the source itself publishes."""

    def pages(self, size: int) -> Iterator[list[SourceEntry]]:
        """The entries from index 0, in pages, up to ``size`` entries."""

    def consistency_proof(self, first: int, second: int) -> list[bytes] | None:
        """The source's consistency proof, or None if it serves none."""

    def inclusion_proof(self, index: int, size: int) -> list[bytes] | None:
        """The source's inclusion proof, or None if it serves none."""

    def checkpoints(self) -> list[tuple[int, str]]:
        """Signed checkpoints of smaller trees of the same log that the source carries
        (a bundle's, the node's own), by size: the size it gives each, and its note.
        ``verify`` checks each against the entries, and narrows a rewrite to the first
        that no longer matches."""

    def problems(self, checkpoint: Checkpoint, last_recorded: datetime | None) -> list[str]:
        """What is wrong with the source beyond its entries (e.g. a bundle's manifest),
        given the verified checkpoint and when the last entry was recorded."""


def hash_or_none(text: Any) -> bytes | None:
    """The bytes of a base64 hash as a source gives it, or None if it is not one."""
    try:
        return b64decode_strict(text) if isinstance(text, str) else None
    except ValueError:
        return None


class NodeSource:
    """A node's feed, read over HTTP with ``httpx``.

    Args:
        base_url: The node's base URL (or its feed's).
        client: The HTTP client; a new one when None.
        token: A bearer token with the auditor role (or admin), which the node's feed
            asks of auditors; sent with every request when given.
    """

    def __init__(
        self, base_url: str, client: httpx.Client | None = None, *, token: str | None = None
    ) -> None:
        base = base_url.rstrip("/")
        self.base = base if base.endswith(FEED_PREFIX) else base + FEED_PREFIX
        self.description = base_url
        self._client = client or httpx.Client(timeout=60.0)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _get(self, path: str, **params: int) -> httpx.Response:
        try:
            response = self._read_at_most(path, params)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL is not an HTTPError
            raise SourceError(f"cannot reach {self.base}{path}: {exc}") from exc
        if response.status_code != 200:
            hint = ""
            if response.status_code == 401 and not self._headers:
                hint = " (give an auditor's token with --token or COORDINATION_TOKEN)"
            raise SourceError(f"{path} answered {response.status_code}: {_detail(response)}{hint}")
        return response

    def _read_at_most(self, path: str, params: dict[str, int]) -> httpx.Response:
        """The answer, read only up to `MAX_RESPONSE_BYTES`: the node is not trusted, and
        an endless answer would otherwise fill the auditor's memory."""
        with self._client.stream(
            "GET", self.base + path, params=params, headers=self._headers
        ) as streamed:
            body, size = [], 0
            for chunk in streamed.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise SourceError(
                        f"{path} answered with more than {MAX_RESPONSE_BYTES:,} bytes: not a"
                        " page, a checkpoint or a proof of this protocol"
                    )
                body.append(chunk)
        return httpx.Response(
            streamed.status_code,
            headers=streamed.headers,
            content=b"".join(body),
            request=streamed.request,
        )

    def checkpoint_note(self) -> str:
        return self._get("/checkpoint").text

    def own_key(self) -> str:
        return self._get("/key").text.strip()

    def _page(self, start: int, limit: int) -> list[SourceEntry]:
        try:
            page = orjson.loads(self._get("/entries", start=start, limit=limit).content)
            items = page["entries"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(f"the page from {start} is not a feed page: {exc}") from exc
        return [self._entry(item, start + n) for n, item in enumerate(items)]

    def pages(self, size: int) -> Iterator[list[SourceEntry]]:
        starts = range(0, size, PAGE_SIZE)
        # The next page is fetched while the verifier checks this one.
        with ThreadPoolExecutor(1, thread_name_prefix="verify-fetch") as fetcher:
            fetch = (fetcher.submit(self._page, s, min(PAGE_SIZE, size - s)) for s in starts)
            pending = next(fetch, None)
            while pending is not None:
                page = pending.result()
                pending = next(fetch, None)
                yield page
                if not page:
                    return

    @staticmethod
    def _entry(item: Any, position: int) -> SourceEntry:
        if not isinstance(item, dict) or not isinstance(item.get("index"), int):
            return SourceEntry(position, None, None, problem="the entry has no index")
        index, leaf, event = item["index"], hash_or_none(item.get("leaf_hash")), item.get("event")
        if leaf is None:
            return SourceEntry(index, None, None, problem="the leaf hash is not base64")
        if event is None:
            return SourceEntry(index, leaf, None)
        try:
            # The feed carries the envelope as JSON; its RFC 8785 form is the entry's bytes.
            return SourceEntry(index, leaf, canonical_json(event), envelope=event)
        except ValueError as exc:
            return SourceEntry(index, leaf, None, problem=f"the event is not canonical JSON: {exc}")

    def _proof(self, path: str, **params: int) -> list[bytes]:
        """The proof's hashes; a node that answers with anything else fails the check (a
        node serves its proofs, the protocol says how; a bundle has none to give)."""
        try:
            body = orjson.loads(self._get(path, **params).content)
        except ValueError as exc:
            raise SourceError(f"{path} answered with something that is not JSON: {exc}") from exc
        hashes = body.get("hashes") if isinstance(body, dict) else None
        decoded = [hash_or_none(h) for h in hashes] if isinstance(hashes, list) else [None]
        proof = [h for h in decoded if h is not None]
        if len(proof) != len(decoded):
            raise SourceError(f"{path} answered with no list of base64 hashes")
        return proof

    def consistency_proof(self, first: int, second: int) -> list[bytes] | None:
        return self._proof("/proof/consistency", **{"from": first, "to": second})

    def inclusion_proof(self, index: int, size: int) -> list[bytes] | None:
        return self._proof("/proof/inclusion", index=index, size=size)

    def checkpoints(self) -> list[tuple[int, str]]:
        return []  # the feed serves the latest checkpoint only

    def problems(self, checkpoint: Checkpoint, last_recorded: datetime | None) -> list[str]:
        del checkpoint, last_recorded
        return []


def _detail(response: httpx.Response) -> str:
    """What a refusal says: a problem's `detail`, or the start of its body.

    Whatever the node sent is only quoted, never trusted to be well formed: a node that
    answers with a broken problem document is reported, not a crash of the verifier.
    """
    text = response.text[:300]
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return text
    try:
        problem = orjson.loads(response.content)
    except ValueError:
        return text
    detail = problem.get("detail") if isinstance(problem, dict) else None
    return detail[:300] if isinstance(detail, str) else text
