"""The feed serves the conformance vectors of an implementation this project did not write
(Go's `sumdb/tlog` and `sumdb/note`; `tests/audit/vectors/README.md`): a log made of the
vectors' 40 entries and their signed checkpoint, served over HTTP, answers the vectors'
key line, checkpoint, leaf hashes and every inclusion and consistency proof, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from coordination.audit.canonical import canonical_json
from coordination.audit.log import AuditLog, open_audit_log
from coordination.audit.merkle import leaf_hash, root_hash
from coordination.audit.note import Verifier
from coordination.audit.storage import LogEntry, Position, StoredCheckpoint
from coordination.audit.stored import plan_append
from coordination.bootstrap import System
from coordination.federation.router import feed_router
from tests.audit.conftest import BUNDLED_VECTORS, VECTORS_NAME, conformance_dir

from .support import FEED, client_for

Vectors = dict[str, Any]


@pytest.fixture(scope="module")
def vectors() -> Vectors:
    folder = conformance_dir()
    path = folder / VECTORS_NAME if folder else BUNDLED_VECTORS
    data: Vectors = json.loads(path.read_text(encoding="utf-8"))
    return data


def _vector_log(system: System, vectors: Vectors) -> AuditLog:
    """The node's log storage holding the vectors' entries and checkpoint, nothing else."""
    log = open_audit_log(
        system.target,
        system.app,
        origin=vectors["origin"],
        verifier=Verifier.from_vkey(vectors["vkey"]),
    )
    entries = [
        LogEntry(
            index=i,
            notification_id=i + 1,
            event_id=f"00000000-0000-4000-8000-{i:012d}",
            stream_id="00000000-0000-4000-8000-000000000000",
            stream_version=i + 1,
            type="coordination.test.v1",
            audience="public",
            leaf_hash=leaf_hash(text.encode()),
            entry=text.encode(),
        )
        for i, text in enumerate(vectors["entries"])
    ]
    leaves = [e.leaf_hash for e in entries]
    with log.storage.transaction() as tx:
        tx.insert_entries(entries)
        tx.insert_hashes(0, plan_append(0, leaves).run(tx.read_hashes))
        tx.set_position(Position(len(entries), len(entries)))
        checkpoint = StoredCheckpoint(
            len(entries), root_hash(leaves), vectors["checkpoint"], datetime.now(UTC)
        )
        tx.insert_checkpoint(checkpoint)
    return log


@pytest.fixture
async def client(system: System, vectors: Vectors) -> AsyncIterator[httpx.AsyncClient]:
    log = _vector_log(system, vectors)
    app = FastAPI()
    app.include_router(feed_router(lambda: log))
    async with client_for(app) as made:
        yield made
    log.close()


def _hashes(proof: list[str] | None) -> list[str]:
    return proof or []  # Go encodes an empty proof as null


async def test_the_key_and_the_checkpoint_are_the_vectors(
    client: httpx.AsyncClient, vectors: Vectors
) -> None:
    assert (await client.get(f"{FEED}/key")).text == vectors["vkey"] + "\n"
    assert (await client.get(f"{FEED}/checkpoint")).content == vectors["checkpoint"].encode()


async def test_the_entries_and_their_leaf_hashes_are_the_vectors(
    client: httpx.AsyncClient, vectors: Vectors
) -> None:
    page = (await client.get(f"{FEED}/entries?start=0&limit=40")).json()
    assert page["origin"] == vectors["origin"]
    assert page["checkpoint"] == vectors["checkpoint"]
    assert [e["leaf_hash"] for e in page["entries"]] == vectors["leaf_hashes"]
    served = [canonical_json(e["event"]) for e in page["entries"]]
    assert served == [entry.encode() for entry in vectors["entries"]]


async def test_every_inclusion_proof_is_the_vectors(
    client: httpx.AsyncClient, vectors: Vectors
) -> None:
    for case in vectors["inclusion"]:
        index, size = case["Index"], case["Size"]
        answer = await client.get(f"{FEED}/proof/inclusion?index={index}&size={size}")
        assert answer.json() == {"index": index, "size": size, "hashes": _hashes(case["Hashes"])}


async def test_every_consistency_proof_is_the_vectors(
    client: httpx.AsyncClient, vectors: Vectors
) -> None:
    for case in vectors["consistency"]:
        first, second = case["From"], case["To"]
        answer = await client.get(f"{FEED}/proof/consistency?from={first}&to={second}")
        assert answer.json() == {"from": first, "to": second, "hashes": _hashes(case["Hashes"])}
