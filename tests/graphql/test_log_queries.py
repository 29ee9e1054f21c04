"""The signed log through GraphQL: log placement on the audit trail, proofs, checkpoints."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from rich.console import Console

from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.integrator import Integrator
from coordination.audit.log import AuditLog, open_audit_log
from coordination.audit.merkle import verify_inclusion
from coordination.audit.note import Signer
from coordination.auth.principal import ANONYMOUS, Principal, Role
from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.bootstrap.graphql import start_graphql
from coordination.graphql.router import GraphQLApi
from coordination.observability import Metrics
from coordination.persistence.readdb import ReadDatabase
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import fill_events
from tests.graphql.conftest import Gql

AUDITOR = Principal(Role.AUDITOR, uuid4())
ADMIN = Principal(Role.ADMIN, uuid4())
REPRESENTATIVE = Principal(Role.REPRESENTATIVE, uuid4(), org=uuid4())

TRAIL = """query($after: String) {
  auditTrail(first: 100, after: $after, where: {includeInternal: true}) {
  edges { node { eventId logPosition logIndex leafHash } }
  pageInfo { hasNextPage endCursor } } }"""
PROOF = """query($e: UUID!, $size: Int) { inclusionProof(eventId: $e, size: $size) {
  eventId logIndex treeSize leafHash hashes checkpoint } }"""
CHECKPOINT = "query { checkpoint { origin treeSize rootHash note } }"


@dataclass
class Node:
    gql: Gql
    log: AuditLog
    signer: Signer
    integrator: Integrator


@pytest.fixture
async def node(system: System, settings: Settings) -> AsyncIterator[Node]:
    """The demo recorded and integrated, and the API started with the node's log."""
    load_demo(system.app, origin=settings.origin, console=Console(file=io.StringIO()))
    signer = Signer(settings.origin, bytes(range(32)))
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=signer.verifier
    )
    integrator = Integrator(
        system.app, log.storage, signer, origin=system.settings.origin, notifier=log.notifier
    )
    integrator.run_once()
    db = await ReadDatabase.open(system.target)
    api = GraphQLApi(settings, metrics=Metrics())
    await start_graphql(api, system, db=db, keys=TokenKeys.generate(settings.origin), audit_log=log)
    yield Node(Gql(api), log, signer, integrator)
    await api.stop()
    await db.close()
    log.close()


def codes(result: Any) -> list[str]:
    return [error.extensions.get("code") for error in result.errors or []]


async def trail(gql: Gql) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql.data(TRAIL, {"after": after}, AUDITOR))["auditTrail"]
        events.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return events
        after = page["pageInfo"]["endCursor"]


async def test_the_audit_trail_shows_each_event_s_place_in_the_log(node: Node) -> None:
    fill_events(node.gql.api.services.app, 3)  # type: ignore[union-attr]  # recorded, not integrated
    events = await trail(node.gql)
    size = node.log.storage.position().size
    entries = {e.notification_id: e for e in node.log.entries(0, size)}
    assert size > 50
    assert len(events) == size + 3
    for event in events[:size]:
        entry = entries[event["logPosition"]]
        assert event["eventId"] == entry.event_id
        assert event["logIndex"] == entry.index
        assert base64.b64decode(event["leafHash"]) == entry.leaf_hash
    assert [(e["logIndex"], e["leafHash"]) for e in events[size:]] == [(None, None)] * 3


async def test_an_inclusion_proof_verifies_against_the_signed_checkpoint(node: Node) -> None:
    checkpoint = (await node.gql.data(CHECKPOINT, principal=ADMIN))["checkpoint"]
    signed = open_checkpoint(checkpoint["note"], node.signer.verifier, origin=node.log.origin)
    assert (checkpoint["origin"], checkpoint["treeSize"]) == (signed.origin, signed.size)
    assert base64.b64decode(checkpoint["rootHash"]) == signed.root_hash
    entries = node.log.entries(0, signed.size)
    for entry in (entries[0], entries[len(entries) // 2], entries[-1]):
        proof = (await node.gql.data(PROOF, {"e": entry.event_id}, AUDITOR))["inclusionProof"]
        assert proof["checkpoint"] == checkpoint["note"]
        assert (proof["logIndex"], proof["treeSize"]) == (entry.index, signed.size)
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        leaf = base64.b64decode(proof["leafHash"])
        assert leaf == entry.leaf_hash
        assert verify_inclusion(leaf, entry.index, signed.size, hashes, signed.root_hash)
        assert not verify_inclusion(leaf, entry.index + 1, signed.size, hashes, signed.root_hash)


async def test_a_proof_in_an_earlier_checkpoint_s_tree(node: Node) -> None:
    first = node.log.latest_checkpoint()
    assert first is not None
    fill_events(node.gql.api.services.app, 5)  # type: ignore[union-attr]
    node.integrator.run_once()
    entry = node.log.entries(3, 4)[0]
    proof = (await node.gql.data(PROOF, {"e": entry.event_id, "size": first.size}, ADMIN))[
        "inclusionProof"
    ]
    # The checkpoint of exactly that size is returned, so the proof checks against it.
    signed = open_checkpoint(proof["checkpoint"], node.signer.verifier)
    assert proof["treeSize"] == signed.size == first.size
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert verify_inclusion(entry.leaf_hash, 3, first.size, hashes, signed.root_hash)
    latest = (await node.gql.data(CHECKPOINT, principal=ADMIN))["checkpoint"]
    assert latest["treeSize"] == first.size + 5


async def test_unknown_events_and_sizes_out_of_range_are_refused(node: Node) -> None:
    unknown = await node.gql.run(PROOF, {"e": str(uuid4())}, AUDITOR)
    assert codes(unknown) == ["NOT_FOUND"]
    assert unknown.data == {"inclusionProof": None}
    assert unknown.errors is not None
    assert "no entry for this event" in unknown.errors[0].message
    entry = node.log.entries(10, 11)[0]
    size = node.log.storage.position().size
    for bad in (10, 0, size + 1):
        result = await node.gql.run(PROOF, {"e": entry.event_id, "size": bad}, AUDITOR)
        assert codes(result) == ["BAD_USER_INPUT"], bad
        assert result.errors is not None
        assert (result.errors[0].extensions or {}).get("argument") == "size"
    ok = await node.gql.data(PROOF, {"e": entry.event_id, "size": 11}, AUDITOR)
    assert ok["inclusionProof"]["treeSize"] == 11


async def test_only_the_secretariat_and_auditors_read_the_signed_log(node: Node) -> None:
    entry = node.log.entries(0, 1)[0]
    for document, variables in ((PROOF, {"e": entry.event_id}), (CHECKPOINT, None)):
        assert codes(await node.gql.run(document, variables, REPRESENTATIVE)) == ["FORBIDDEN"]
        assert codes(await node.gql.run(document, variables, ANONYMOUS)) == ["UNAUTHENTICATED"]


async def test_a_node_without_its_log_says_so(
    system: System, settings: Settings, gql_without_views: Gql
) -> None:
    fill_events(system.app, 1)
    for document, variables in (
        (PROOF, {"e": str(uuid4())}),
        (CHECKPOINT, None),
        (TRAIL, {"after": None}),
    ):
        result = await gql_without_views.run(document, variables, AUDITOR)
        # The trail answers with its events, and an error for each log field asked for.
        assert set(codes(result)) == {"LOG_UNAVAILABLE"}, document
        assert result.errors is not None
        assert {e.message for e in result.errors} == {"the signed log is not running on this node"}
