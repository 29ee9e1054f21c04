"""The audit trail with the events synced from partners, on SQLite and PostgreSQL: the
node's own events and its partners' verified ones, each marked with its log's origin; the
`origin` filter; stubs and entries of an audience partners are not served never shown;
the filters on partners' events; pages across the logs stable (decision 49)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest

from coordination.audit.canonical import canonical_json
from coordination.audit.compact_range import CompactRange
from coordination.audit.envelope import encode_entry
from coordination.audit.log import open_audit_log
from coordination.audit.merkle import leaf_hash
from coordination.auth.principal import Principal, Role
from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.bootstrap.graphql import start_graphql
from coordination.domain.context import Context
from coordination.domain.joint_group import JointPosition
from coordination.federation.synced_logs import SyncedEntry, SyncedLogs
from coordination.graphql.router import GraphQLApi
from coordination.persistence.readdb import ReadDatabase
from coordination.settings import Settings
from tests.federation.joint_support import NOW
from tests.federation.support import KEY
from tests.graphql.conftest import Gql

IT, GR = "it.example/log", "gr.example/log"
AUDITOR = Principal(Role.AUDITOR, uuid4())
TRAIL = """query($w: AuditFilter, $first: Int!, $after: String) {
  auditTrail(where: $w, first: $first, after: $after) {
  edges { cursor node { eventId type streamId origin audience logPosition logIndex leafHash } }
  pageInfo { hasNextPage endCursor } } }"""


def position_entry(origin: str, index: int, audience: str | None = None) -> tuple[bytes, str]:
    """A position `origin` took, as the entry at `index` of its log (its audience changed
    to `audience` when given, as a partner's own record would have it); its event id."""
    taken = JointPosition.take(
        Context(actor="secretariat", origin=origin, occurred_at=NOW),
        group_id=uuid4(),
        lead_origin=origin,
        member_origins=None,
        position="agree",
        reason=None,
    )
    (event,) = taken.collect_events()
    body = encode_entry(event, index=index, origin=origin)
    if audience is not None:
        envelope = json.loads(body)
        envelope["audience"] = audience
        body = canonical_json(envelope)
    return body, str(event.event_id)  # type: ignore[attr-defined]


def synced_log(synced: SyncedLogs, origin: str, audiences: list[str | None]) -> list[str]:
    """`origin`'s log as this node stores it once verified: a stub for each None, else an
    entry of that audience ("" for the group's own); the event ids shown, in order."""
    entries, ids, shown = [], [], []
    for index, audience in enumerate(audiences):
        if audience is None:
            entries.append(SyncedEntry(origin, index, leaf_hash(b"stub %d" % index), None))
            ids.append(None)
            continue
        body, event_id = position_entry(origin, index, audience or None)
        entries.append(SyncedEntry(origin, index, leaf_hash(body), body))
        ids.append(event_id)
        if audience != "partnership":
            shown.append(event_id)
    after = CompactRange().extended(e.leaf_hash for e in entries)
    synced.verified_checkpoint(origin, len(entries), after.root(), f"{origin}\n{len(entries)}\n")
    assert synced.store_page(origin, entries, ids, after)
    return shown


@pytest.fixture
async def gql(system: System, settings: Settings) -> AsyncIterator[Gql]:
    ctx = Context(actor="secretariat", origin=settings.origin, occurred_at=NOW)
    parties = [(o, ["public", "transnational"]) for o in (IT, GR)]
    system.app.sign_cooperation_agreement(ctx, title="A", document_hash="a" * 64, parties=parties)
    log = open_audit_log(system.target, system.app, origin=settings.origin, verifier=KEY.verifier)
    db = await ReadDatabase.open(system.target)
    api = GraphQLApi(settings)
    await start_graphql(api, system, db=db, keys=TokenKeys.generate(settings.origin), audit_log=log)
    yield Gql(api)
    await api.stop()
    await db.close()
    log.close()


@pytest.fixture
def peers(system: System, settings: Settings) -> dict[str, list[str]]:
    """Two partners' synced logs: each with a stub and an entry of the partner's own
    partnership (neither ever shown), and entries partners are served."""
    log = open_audit_log(system.target, system.app, origin=settings.origin, verifier=KEY.verifier)
    synced = SyncedLogs(log.storage)
    synced.create_tables()
    shown = {
        IT: synced_log(synced, IT, [None, "", "partnership", "transnational", None, ""]),
        GR: synced_log(synced, GR, ["public", "partnership", ""]),
    }
    log.close()
    return shown


async def pages(gql: Gql, first: int, where: dict[str, Any] | None = None) -> list[Any]:
    nodes: list[Any] = []
    after = None
    for _ in range(100):
        variables = {"w": where, "first": first, "after": after}
        page = (await gql.data(TRAIL, variables, AUDITOR))["auditTrail"]
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the trail never ended")


async def test_the_trail_shows_own_and_partners_events_by_origin(
    gql: Gql, peers: dict[str, list[str]], settings: Settings
) -> None:
    trail = await pages(gql, 100)
    own = [n for n in trail if n["logPosition"] is not None]
    assert own
    assert {n["origin"] for n in own} == {settings.origin}
    assert trail[: len(own)] == own  # the own log first, then each partner's by origin
    synced = [(n["origin"], n["eventId"]) for n in trail[len(own) :]]
    assert synced == [(GR, e) for e in peers[GR]] + [(IT, e) for e in peers[IT]]
    assert "partnership" not in {n["audience"] for n in trail[len(own) :]}
    it_nodes = [n for n in trail if n["origin"] == IT]
    assert [n["logIndex"] for n in it_nodes] == [1, 3, 5]  # stubs at 0 and 4 never shown
    assert all(base64.b64decode(n["leafHash"]) for n in it_nodes)


async def test_pages_across_the_logs_are_the_whole_trail_once(
    gql: Gql, peers: dict[str, list[str]]
) -> None:
    whole = await pages(gql, 100)
    for first in (1, 2, 3):
        assert await pages(gql, first) == whole


async def test_the_origin_filter_reads_one_log(
    gql: Gql, peers: dict[str, list[str]], settings: Settings
) -> None:
    it = await pages(gql, 2, {"origin": IT})
    assert [n["eventId"] for n in it] == peers[IT]
    own = await pages(gql, 2, {"origin": settings.origin})
    assert own
    assert all(n["origin"] == settings.origin for n in own)
    assert await pages(gql, 2, {"origin": "nowhere.example/log"}) == []


async def test_the_filters_apply_to_partners_events(
    gql: Gql, peers: dict[str, list[str]], settings: Settings
) -> None:
    everything = await pages(gql, 100)
    chosen = next(n for n in everything if n["eventId"] == peers[IT][1])
    by_stream = await pages(gql, 5, {"streamId": chosen["streamId"]})
    assert by_stream == [chosen]
    positions = await pages(gql, 5, {"types": ["coordination.joint_position.taken"]})
    assert {n["eventId"] for n in positions} == set(peers[IT] + peers[GR])
    assert await pages(gql, 5, {"recordedBefore": "2000-01-01T00:00:00Z"}) == []
    assert await pages(gql, 5, {"actor": "somebody else"}) == []


async def test_a_partners_cursor_is_refused_with_the_own_origin(
    gql: Gql, peers: dict[str, list[str]], settings: Settings
) -> None:
    first = (await gql.data(TRAIL, {"w": {"origin": IT}, "first": 1}, AUDITOR))["auditTrail"]
    after = first["pageInfo"]["endCursor"]
    result = await gql.run(
        TRAIL, {"w": {"origin": settings.origin}, "first": 1, "after": after}, AUDITOR
    )
    assert result.errors
    assert "partner" in result.errors[0].message
    garbage = base64.urlsafe_b64encode(b"audit-peer:x:it").decode()
    result = await gql.run(TRAIL, {"first": 1, "after": garbage}, AUDITOR)
    assert result.errors
    assert "cursor" in result.errors[0].message
