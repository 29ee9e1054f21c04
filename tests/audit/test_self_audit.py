"""The self-audit's checks on both stores: a sound log passes, every kind of tampering is
found and named by its check and entry, and a newly integrated range is checked alone."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from coordination.audit.auditor import full_pass
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.integrity import Finding
from coordination.audit.self_audit import RangeCursor, SelfAudit
from coordination.audit.stored import stored_hash_count
from coordination.audit.tree_audit import covered_leaves, frontier_indexes
from coordination.bootstrap import System
from tests.audit.support import ORIGIN, LogNode, node_signer
from tests.audit.tampering import TAMPERINGS

KEY = node_signer()
#: Small chunks, so that the log's 250 entries cross chunk boundaries.
CHUNK = 64


@pytest.fixture
def node(system: System) -> Iterator[LogNode]:
    made = LogNode(system)
    made.grow(150)
    made.grow(100)
    yield made
    made.close()


def audit_of(node: LogNode) -> SelfAudit:
    encoder = EntryEncoder(node.system.app.mapper, ORIGIN)
    return SelfAudit(node.log.storage, encoder, [KEY.verifier])


def findings_of(node: LogNode) -> list[Finding]:
    summary, findings = full_pass(audit_of(node), chunk=CHUNK)
    assert summary.entries == 250
    assert summary.findings == len(findings)
    return findings


def test_a_sound_log_has_no_findings(node: LogNode) -> None:
    assert findings_of(node) == []


@pytest.mark.parametrize("kind", sorted(TAMPERINGS))
def test_each_tampering_is_found_and_named_then_passes_once_undone(
    node: LogNode, kind: str
) -> None:
    tampered = TAMPERINGS[kind](node.system)
    findings = findings_of(node)
    assert findings, kind
    assert (findings[0].check, findings[0].index) == (tampered.check, tampered.index)
    assert findings[0].detail
    tampered.undo()
    assert findings_of(node) == []


def test_swapped_entries_are_named_swapped_not_missing(node: LogNode) -> None:
    TAMPERINGS["two entries swapped"](node.system)
    named = {(f.check, f.index): f.detail for f in findings_of(node)}
    assert "says it is entry 20" in named["sequence", 10]
    assert "says it is entry 10" in named["sequence", 20]
    assert not any("missing" in detail for detail in named.values())


def test_a_deleted_entry_leaves_its_event_without_an_entry(node: LogNode) -> None:
    TAMPERINGS["an entry deleted"](node.system)
    findings = findings_of(node)
    assert findings[0].detail == "entry 99 missing: the log has a hole"
    (unlogged,) = [f for f in findings if f.index is None]
    assert "has no entry in the log" in unlogged.detail


def test_a_deleted_event_row_is_named_by_its_entry(node: LogNode) -> None:
    ((notification_id,),) = node.execute(
        "SELECT notification_id FROM log_entries WHERE idx = ?", (7,)
    )
    table = node.system.app.recorder.events_table_name
    key = "notification_id" if node.system.target.is_postgres else "rowid"
    node.execute(f"DELETE FROM {table} WHERE {key} = ?", (notification_id,))
    (finding,) = findings_of(node)
    assert (finding.check, finding.index) == ("event", 7)
    assert "is gone" in finding.detail


def test_a_checkpoint_whose_stored_root_differs_from_its_note(node: LogNode) -> None:
    node.execute("UPDATE log_checkpoints SET root = ? WHERE size = ?", (b"\x01" * 32, 150))
    (finding,) = findings_of(node)
    assert finding.check == "checkpoint"
    assert "the checkpoint of size 150: its stored size or root" in finding.detail


def test_a_checkpoint_signed_with_an_earlier_key_verifies_with_it(node: LogNode) -> None:
    from coordination.audit.checkpoint import Checkpoint, sign_checkpoint
    from tests.audit.support import other_signer

    ((root,),) = node.execute("SELECT root FROM log_checkpoints WHERE size = 150")
    earlier = other_signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 150, bytes(root)), earlier)
    node.execute("UPDATE log_checkpoints SET note = ? WHERE size = 150", (note,))
    (finding,) = findings_of(node)
    assert "does not verify with the node's key" in finding.detail
    encoder = EntryEncoder(node.system.app.mapper, ORIGIN)
    audit = SelfAudit(node.log.storage, encoder, [KEY.verifier, earlier.verifier])
    assert full_pass(audit, chunk=CHUNK)[1] == []


def test_a_new_range_is_checked_from_the_stored_frontier(node: LogNode) -> None:
    before = node.log.storage.position()
    node.grow(37)
    after = node.log.storage.position()
    cursor = RangeCursor(audit_of(node), before, after)
    assert cursor.step(CHUNK) == []
    assert cursor.done
    # An entry of the new range altered: found by the range alone.
    ((entry,),) = node.execute("SELECT entry FROM log_entries WHERE idx = ?", (260,))
    node.execute(
        "UPDATE log_entries SET entry = ? WHERE idx = ?",
        (bytes(entry).replace(b'"note":"step', b'"note":"Step'), 260),
    )
    again = RangeCursor(audit_of(node), before, after)
    found = again.step(CHUNK)
    assert [(f.check, f.index) for f in found][:1] == [("leaf_hash", 260)]


def test_an_event_recorded_behind_the_integrator_is_found(node: LogNode) -> None:
    # The entry of index 42 now claims a notification id beyond the log: its own event
    # is left without an entry, and the entry without its event.
    node.execute("UPDATE log_entries SET notification_id = notification_id + 100000 WHERE idx = 42")
    findings = findings_of(node)
    assert ("event", 42) in {(f.check, f.index) for f in findings}
    assert any(f.index is None and "has no entry in the log" in f.detail for f in findings)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 250, 1023, 1024, 12345])
def test_the_tree_s_storage_indexes_name_their_leaves(size: int) -> None:
    # Every stored hash of the tree of `size` leaves covers a run of leaves within it,
    # and the frontier's subtrees cover the whole tree once, largest first.
    spans = [covered_leaves(i) for i in range(stored_hash_count(size))]
    assert all(0 <= first <= last < size for first, last in spans)
    frontier = [covered_leaves(i) for i in frontier_indexes(size)]
    assert frontier[0][0] == 0
    assert frontier[-1][1] == size - 1
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(frontier))


def test_a_range_of_no_entries_is_done_at_once(node: LogNode) -> None:
    at = node.log.storage.position()
    cursor = RangeCursor(audit_of(node), at, at)
    assert cursor.done
    assert cursor.step() == []
