"""Where ``verify`` reads a log from: a node over HTTP, or an export bundle on disk.

Sources report what they were given and judge nothing: a malformed line or a leaf hash
that does not decode becomes an entry with a ``problem``, for the verifier to name.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson

from ._encoding import b64decode_strict
from .canonical import canonical_json
from .export import CHECKPOINT, ENTRIES, KEY, MANIFEST, file_sha256
from .feed_path import FEED_PREFIX

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
    """

    index: int
    leaf_hash: bytes | None
    entry: bytes | None
    envelope: Any = None
    problem: str | None = None


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

    def problems(self) -> list[str]:
        """What is wrong with the source beyond its entries (e.g. a bundle's manifest)."""


def _hash(text: Any) -> bytes | None:
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
        index, leaf, event = item["index"], _hash(item.get("leaf_hash")), item.get("event")
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
        decoded = [_hash(h) for h in hashes] if isinstance(hashes, list) else [None]
        proof = [h for h in decoded if h is not None]
        if len(proof) != len(decoded):
            raise SourceError(f"{path} answered with no list of base64 hashes")
        return proof

    def consistency_proof(self, first: int, second: int) -> list[bytes] | None:
        return self._proof("/proof/consistency", **{"from": first, "to": second})

    def inclusion_proof(self, index: int, size: int) -> list[bytes] | None:
        return self._proof("/proof/inclusion", index=index, size=size)

    def problems(self) -> list[str]:
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


class BundleSource:
    """An export bundle directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = str(directory)
        if not (directory / ENTRIES).is_file():
            raise SourceError(f"{directory} is not a bundle: it has no {ENTRIES}")
        #: The size `pages` read up to (the signed checkpoint's), and the lines after it.
        self._size: int | None = None
        self._beyond = 0

    def _read(self, name: str) -> str:
        try:
            return (self.directory / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read {name} of the bundle: {exc}") from exc

    def checkpoint_note(self) -> str:
        return self._read(CHECKPOINT)

    def own_key(self) -> str:
        return self._read(KEY).strip()

    def pages(self, size: int) -> Iterator[list[SourceEntry]]:
        page: list[SourceEntry] = []
        self._size, self._beyond = size, 0
        with (self.directory / ENTRIES).open("rb") as lines:
            for number, line in enumerate(lines):
                if number >= size:
                    # Not signed, so not checked as entries; but a bundle must not carry
                    # entries its checkpoint does not cover (`problems` says so).
                    self._beyond += 1
                    continue
                page.append(self._entry(line, number))
                if len(page) == PAGE_SIZE:
                    yield page
                    page = []
        if page:
            yield page

    @staticmethod
    def _entry(line: bytes, number: int) -> SourceEntry:
        try:
            record = orjson.loads(line)
            index, entry = record["index"], record["entry"].encode("utf-8")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return SourceEntry(number, None, None, problem=f"line {number + 1} is malformed: {exc}")
        if not isinstance(index, int):
            return SourceEntry(number, None, None, problem=f"line {number + 1} has no index")
        leaf = _hash(record.get("leaf_hash"))
        problem = None if leaf is not None else "the leaf hash is not base64"
        return SourceEntry(index, leaf, entry, problem=problem)

    def consistency_proof(self, first: int, second: int) -> list[bytes] | None:
        del first, second  # a bundle carries no proofs: the verifier recomputes instead
        return None

    def inclusion_proof(self, index: int, size: int) -> list[bytes] | None:
        del index, size
        return None

    def problems(self) -> list[str]:
        try:
            manifest = orjson.loads(self._read(MANIFEST))
            files = dict(manifest["files"])
        except (SourceError, ValueError, KeyError, TypeError) as exc:
            return [f"the manifest cannot be read: {exc}"]
        found = []
        if self._beyond:
            found.append(
                f"{ENTRIES} has {self._beyond} line(s) after the {self._size} entries the"
                " checkpoint signs: nothing vouches for them"
            )
        if self._size is not None:
            counts = manifest.get("counts")
            claimed = {
                "size": manifest.get("size"),
                "counts.entries": counts.get("entries") if isinstance(counts, dict) else None,
            }
            for field, value in claimed.items():
                if value != self._size:
                    found.append(
                        f"the manifest's {field} is {value!r}, not the checkpoint's {self._size}"
                    )
        for name in (ENTRIES, CHECKPOINT, KEY):
            try:
                digest = file_sha256(self.directory / name)
            except OSError as exc:  # missing, or unreadable: a finding, not a crash
                found.append(f"{name} of the bundle cannot be read: {exc.strerror or exc}")
                continue
            if files.get(name) != digest:
                found.append(f"{name} does not have the SHA-256 the manifest gives")
        return found
