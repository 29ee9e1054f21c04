"""A peer's `SubjectErased` drops what the synced log holds of that person, on SQLite and
PostgreSQL both: the peer's entries sealing a datum of the person become stubs in the
transaction that stores the erasure, later ones are stored as stubs, the tree still
verifies, and nothing else changes (decision 46)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import orjson
import pytest

from coordination.audit.canonical import canonical_json
from coordination.audit.compact_range import CompactRange
from coordination.audit.merkle import leaf_hash
from coordination.audit.storage import open_storage
from coordination.bootstrap import System
from coordination.federation.peer_erasures import persons_of
from coordination.federation.synced_logs import SyncedEntry, SyncedLogs
from coordination.privacy.sealed_fields import sealed_subjects
from coordination.projections.joint_view import _kept

PEER = "it.example/coordination/log"
OTHER = "gr.example/coordination/log"
ENROLLED = "coordination.cohort.participant_enrolled.v1"
ERASED = "coordination.data_subject.erased.v1"


@pytest.fixture
def logs(system: System) -> Iterator[SyncedLogs]:
    storage = open_storage(system.target, system.app)
    storage.create_tables()
    yield SyncedLogs(storage)
    storage.close()


def sealed(subject: str, text: str) -> dict[str, str]:
    return {"subject": subject, "ciphertext": text}


def envelope(origin: str, index: int, kind: str, subject: str, data: dict[str, Any]) -> bytes:
    fields = {"id": f"{origin}/e{index}", "source": origin, "type": kind, "subject": subject}
    return canonical_json({**fields, "data": data})


class Peer:
    """A peer's log as pages arrive: entries stored one page at a time, as the step does."""

    def __init__(self, logs: SyncedLogs, origin: str, bodies: list[bytes]) -> None:
        self.logs, self.origin, self.bodies = logs, origin, bodies
        self.leaves = [leaf_hash(body) for body in bodies]
        self.compact = CompactRange()
        whole = CompactRange().extended(self.leaves)
        logs.verified_checkpoint(origin, len(bodies), whole.root(), "note\n")

    def store(self, start: int, stop: int) -> None:
        entries = [
            SyncedEntry(self.origin, i, self.leaves[i], self.bodies[i]) for i in range(start, stop)
        ]
        self.compact = self.compact.extended(e.leaf_hash for e in entries)
        ids = [f"{self.origin}/e{i}" for i in range(start, stop)]
        subjects = [orjson.loads(self.bodies[i])["subject"] for i in range(start, stop)]
        assert self.logs.store_page(self.origin, entries, ids, self.compact, subjects)


def test_an_erasure_drops_the_peer_s_entries_of_that_person_and_only_those(
    logs: SyncedLogs,
) -> None:
    person, other_person, cohort = str(uuid4()), str(uuid4()), str(uuid4())
    bodies = [
        envelope(PEER, 0, ENROLLED, cohort, {"name": sealed(person, "CIPHER-P-0")}),
        envelope(PEER, 1, ENROLLED, cohort, {"name": sealed(other_person, "CIPHER-O-1")}),
        envelope(PEER, 2, "coordination.cohort.opened.v1", cohort, {"title": "Care"}),
        # Feedback nests its sealed text one level deeper: found all the same.
        envelope(PEER, 3, ENROLLED, cohort, {"parts": [{"text": sealed(person, "CIPHER-P-3")}]}),
        envelope(PEER, 4, ERASED, person, {"ground": "request"}),
        envelope(PEER, 5, ENROLLED, cohort, {"name": sealed(person, "CIPHER-P-5")}),
        envelope(PEER, 6, ENROLLED, cohort, {"name": sealed(person, "CIPHER-P-6")}),
    ]
    other = [envelope(OTHER, 0, ENROLLED, cohort, {"name": sealed(person, "CIPHER-G-0")})]
    peer, elsewhere = Peer(logs, PEER, bodies), Peer(logs, OTHER, other)
    elsewhere.store(0, 1)
    peer.store(0, 4)
    assert all(e.envelope is not None for e in logs.entries(PEER, 0, 10))

    peer.store(4, 6)  # the erasure, and an entry of the person after it in the same page
    peer.store(6, 7)  # an entry of the person in a later page

    stored = logs.entries(PEER, 0, 10)
    assert [e.index for e in stored if e.envelope is None] == [0, 3, 5, 6]
    assert [e.envelope for e in stored if e.envelope is not None] == [bodies[i] for i in (1, 2, 4)]
    assert [e.leaf_hash for e in stored] == peer.leaves  # the tree still verifies offline
    state = logs.state(PEER)
    assert state is not None
    assert CompactRange().extended(e.leaf_hash for e in stored).root() == state.root
    assert logs.entry_by_event_id(PEER, f"{PEER}/e0") is None  # a stub, as one never seen
    assert logs.entries_of_stream(PEER, cohort) == [stored[1], stored[2]]
    # Another peer's entry about the same id is that peer's to erase.
    assert logs.entries(OTHER, 0, 1)[0].envelope == other[0]


def test_an_erasure_stored_again_by_a_retry_changes_nothing(logs: SyncedLogs) -> None:
    person, cohort = str(uuid4()), str(uuid4())
    bodies = [
        envelope(PEER, 0, ENROLLED, cohort, {"name": sealed(person, "CIPHER-P-0")}),
        envelope(PEER, 1, ERASED, person, {"ground": "request"}),
    ]
    peer = Peer(logs, PEER, bodies)
    peer.store(0, 1)
    peer.store(1, 2)
    entries = [SyncedEntry(PEER, 1, peer.leaves[1], bodies[1])]
    assert not logs.store_page(PEER, entries, [f"{PEER}/e1"], peer.compact)
    assert [e.envelope for e in logs.entries(PEER, 0, 2)] == [None, bodies[1]]


def test_sealed_fields_are_recognised_by_their_form_only() -> None:
    person = uuid4()
    deep: Any = sealed(str(person), "x")
    for _ in range(5000):  # deeper than Python recurses
        deep = [deep]
    assert sealed_subjects({"a": deep}) == {person}
    assert sealed_subjects({"a": {"subject": "not an id", "ciphertext": "x"}}) == frozenset()
    assert sealed_subjects({"a": {"subject": str(person), "ciphertext": "x", "more": 1}}) == set()
    assert sealed_subjects({"a": {"subject": str(person), "ciphertext": 1}}) == frozenset()
    # The stored form, and the form entries had before decision 52, are not the log's.
    assert sealed_subjects({"a": {"subject_id": str(person), "sealed": "x"}}) == frozenset()
    assert sealed_subjects({"a": {"subject": person.hex, "sealed": "x"}}) == frozenset()
    erasure = persons_of(envelope(PEER, 0, ERASED, str(person), {"ground": "request"}))
    assert (erasure.erased, erasure.sealed) == (str(person), frozenset())
    assert persons_of(envelope(PEER, 0, ERASED, "nobody", {})).erased is None
    assert persons_of(None).erased is None


def test_the_joint_group_view_never_keeps_a_personal_field() -> None:
    kind = "coordination.joint_group.established.v1"
    plain = envelope(PEER, 0, kind, str(uuid4()), {"name": "Social accounting"})
    personal = envelope(PEER, 1, kind, str(uuid4()), {"name": sealed(str(uuid4()), "x")})
    assert _kept(PEER, 0, leaf_hash(plain), plain) is not None
    assert _kept(PEER, 1, leaf_hash(personal), personal) is None
