"""The feed endpoints over HTTP: formats, caching, long-poll, and every bad input."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from starlette.concurrency import run_in_threadpool

from coordination.audit._encoding import b64decode_strict
from coordination.audit.canonical import canonical_json
from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.log import open_audit_log
from coordination.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from coordination.audit.storage import LogEntry
from coordination.bootstrap import System
from coordination.federation.router import feed_router
from tests.audit.support import ORIGIN, execute

from .support import FEED, KEY, VARY, Node, client_for


async def test_checkpoint_is_the_signed_note_as_text(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{FEED}/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "public, no-cache"
    checkpoint = open_checkpoint(response.text, KEY.verifier, origin=ORIGIN)
    assert checkpoint.size == 250
    for tag in (response.headers["etag"], f"W/{response.headers['etag']}", "*"):
        again = await client.get(f"{FEED}/checkpoint", headers={"If-None-Match": tag})
        assert again.status_code == 304
        assert again.content == b""


async def test_key_is_the_verifier_key_line(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{FEED}/key")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == f"{KEY.verifier.vkey}\n"


async def test_next_does_not_come_from_the_host_header(client: httpx.AsyncClient) -> None:
    # It was built from the request's URL, Host header included: any client could put its
    # own host into a page that shared caches keep for a year.
    response = await client.get(
        f"{FEED}/entries", params={"start": 0, "limit": 10}, headers={"Host": "evil.example"}
    )
    assert response.json()["next"] == "/federation/v1/entries?start=10&limit=10"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope", 404),
        ("GET", "/entries/extra", 404),
        ("POST", "/checkpoint", 405),
        ("DELETE", "/entries", 405),
        ("OPTIONS", "/key", 405),
        ("HEAD", "/nope", 404),
    ],
)
async def test_what_no_route_serves_is_a_problem_too(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    # These were the app's plain JSON ({"detail": ...}): the protocol makes every error
    # of the feed a problem document.
    response = await client.request(method, f"{FEED}{path}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if method != "HEAD":
        assert response.json()["status"] == status
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD"


async def test_a_parameter_given_twice_is_refused(client: httpx.AsyncClient) -> None:
    # The last one was taken silently.
    response = await client.get(f"{FEED}/entries?start=1&start=2")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "'start' is given 2 times" in response.json()["detail"]


async def test_a_page_below_the_checkpoint_is_immutable(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{FEED}/entries", params={"start": 0, "limit": 100})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    # Shown to an anonymous caller (this feed lets everyone in): public, but it varies
    # with who asks, so a cache does not give it to a caller who may see more.
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["vary"] == VARY
    page = response.json()
    assert list(page) == ["origin", "start", "entries", "checkpoint", "next"]
    assert (page["origin"], page["start"]) == (ORIGIN, 0)
    assert [e["index"] for e in page["entries"]] == list(range(100))
    assert page["next"] == "/federation/v1/entries?start=100&limit=100"
    # The smallest checkpoint covering the page, so the page never changes.
    assert open_checkpoint(page["checkpoint"], KEY.verifier).size == 150
    for item in page["entries"]:
        assert list(item) == ["index", "leaf_hash", "event"]
        entry = canonical_json(item["event"])
        assert leaf_hash(entry) == b64decode_strict(item["leaf_hash"])
        assert item["event"]["sequence"] == f"{item['index']:020d}"
    again = await client.get(
        f"{FEED}/entries?start=0&limit=100", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_the_head_page_is_no_cache_and_changes_when_the_log_grows(
    client: httpx.AsyncClient, node: Node
) -> None:
    response = await client.get(f"{FEED}/entries?start=200&limit=100")
    page = response.json()
    assert response.headers["cache-control"] == "public, no-cache"
    assert [e["index"] for e in page["entries"]] == list(range(200, 250))
    assert page["next"] is None
    assert open_checkpoint(page["checkpoint"], KEY.verifier).size == 250
    etag = response.headers["etag"]
    same = await client.get(f"{FEED}/entries?start=200&limit=100", headers={"If-None-Match": etag})
    assert same.status_code == 304
    await run_in_threadpool(node.grow, 10)
    grown = await client.get(f"{FEED}/entries?start=200&limit=100", headers={"If-None-Match": etag})
    assert grown.status_code == 200
    assert len(grown.json()["entries"]) == 60


async def test_an_empty_page_at_the_head(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{FEED}/entries?start=250")
    assert response.status_code == 200
    assert response.json()["entries"] == []
    assert response.json()["next"] is None


async def test_inclusion_proofs_verify(client: httpx.AsyncClient, node: Node) -> None:
    entries = node.log.entries(0, 250)
    checkpoint = node.log.latest_checkpoint()
    assert checkpoint is not None
    for index in (0, 1, 127, 249):
        response = await client.get(f"{FEED}/proof/inclusion?index={index}&size=250")
        body = response.json()
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert (body["index"], body["size"]) == (index, 250)
        hashes = [b64decode_strict(h) for h in body["hashes"]]
        assert verify_inclusion(entries[index].leaf_hash, index, 250, hashes, checkpoint.root)


async def test_consistency_proofs_verify(client: httpx.AsyncClient, node: Node) -> None:
    old = node.log.covering_checkpoint(1)
    new = node.log.latest_checkpoint()
    assert old is not None
    assert new is not None
    response = await client.get(f"{FEED}/proof/consistency?from=150&to=250")
    body = response.json()
    assert (body["from"], body["to"]) == (150, 250)
    hashes = [b64decode_strict(h) for h in body["hashes"]]
    assert verify_consistency(150, 250, old.root, new.root, hashes)
    for first, second in ((0, 250), (250, 250)):
        same = await client.get(f"{FEED}/proof/consistency?from={first}&to={second}")
        assert same.json()["hashes"] == []


BAD_INPUTS = [
    ("entries?start=-1", 400, "start must be a non-negative whole number"),
    ("entries?start=abc", 400, "start must be a non-negative whole number"),
    ("entries?start=", 400, "start must be"),
    ("entries?limit=0", 400, "limit must be from 1 to 1000"),
    ("entries?limit=1001", 400, "limit must be from 1 to 1000"),
    ("entries?limit=1.5", 400, "limit must be"),
    ("entries?start=251", 416, "start 251 is beyond the log"),
    (f"entries?start={10**30}", 416, "beyond the log"),
    ("proof/inclusion", 400, "'index' is required"),
    ("proof/inclusion?index=1", 400, "'size' is required"),
    ("proof/inclusion?index=-1&size=10", 400, "index must be"),
    ("proof/inclusion?index=5&size=0", 400, "index 5 is not in a tree of size 0"),
    ("proof/inclusion?index=250&size=250", 400, "not in a tree of size 250"),
    ("proof/inclusion?index=1&size=251", 416, "size 251 is beyond the log"),
    (f"proof/inclusion?index=1&size={2**64}", 416, "beyond the log"),
    ("proof/inclusion?index=1e3&size=10", 400, "index must be"),
    ("proof/consistency?from=200&to=100", 400, "must not be larger than to"),
    ("proof/consistency?from=1&to=251", 416, "to 251 is beyond the log"),
    ("proof/consistency?from=x&to=5", 400, "from must be"),
    ("proof/consistency?to=5", 400, "'from' is required"),
    (f"proof/consistency?from={10**40}&to={10**41}", 416, "beyond the log"),
]


@pytest.mark.parametrize(("query", "status", "detail"), BAD_INPUTS)
async def test_bad_input_is_a_problem_never_a_500(
    client: httpx.AsyncClient, query: str, status: int, detail: str
) -> None:
    response = await client.get(f"{FEED}/{query}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"]
    assert detail in problem["detail"]


async def test_no_checkpoint_yet_is_a_503_problem(system: System) -> None:
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=KEY.verifier
    )
    app = FastAPI()
    app.include_router(feed_router(lambda: log))
    async with client_for(app) as client:
        response = await client.get(f"{FEED}/entries")
    log.close()
    assert response.status_code == 503
    assert "no signed checkpoint yet" in response.json()["detail"]


async def test_authorize_decides_who_may_call_all_but_the_public_routes(node: Node) -> None:
    def authorize() -> str:
        raise HTTPException(401, "present a bearer token", {"WWW-Authenticate": "Bearer"})

    app = FastAPI()
    app.include_router(feed_router(lambda: node.log, authorize=authorize))
    async with client_for(app) as client:
        guarded = ("entries", "proof/inclusion?index=0&size=1", "proof/consistency?from=0&to=1")
        for path in guarded:
            response = await client.get(f"{FEED}/{path}")
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["detail"] == "present a bearer token"
        # FEED-PROTOCOL §4: anyone may fetch these, so anyone can check a checkpoint.
        for path in ("checkpoint", "key"):
            assert (await client.get(f"{FEED}/{path}")).status_code == 200


async def test_may_see_withholds_events_but_not_leaf_hashes(node: Node) -> None:
    def may_see(caller: str, entry: LogEntry) -> bool:
        return caller == "auditor" or entry.index % 2 == 0

    app = FastAPI()
    app.include_router(feed_router(lambda: node.log, authorize=lambda: "partner", may_see=may_see))
    async with client_for(app) as client:
        page = (await client.get(f"{FEED}/entries?start=0&limit=4")).json()
    assert [e["event"] is None for e in page["entries"]] == [False, True, False, True]
    stored = node.log.entries(0, 4)
    assert [b64decode_strict(e["leaf_hash"]) for e in page["entries"]] == [
        e.leaf_hash for e in stored
    ]


async def test_a_corrupt_stored_entry_is_named_not_spliced(
    client: httpx.AsyncClient, node: Node
) -> None:
    execute(node.system, "UPDATE log_entries SET entry = ? WHERE idx = 7", (b'{"broken":',))
    response = await client.get(f"{FEED}/entries?start=0&limit=10")
    assert response.status_code == 500
    assert "entry 7 is corrupt" in response.json()["detail"]
    json.loads(response.content)  # still well-formed JSON
