"""The synced-log store keeps a peer's verified entries and its sync state beside the
node's log, on SQLite and PostgreSQL both: a page and the cursor move together, a page
stored again (a retry, another process) is refused whole, and the read API answers by
event id and by index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from coordination.audit.compact_range import CompactRange
from coordination.audit.merkle import leaf_hash, root_hash
from coordination.audit.storage import open_storage
from coordination.bootstrap import System
from coordination.federation.synced_logs import (
    CONFLICT,
    KEY_REFUSED,
    SYNCING,
    UP_TO_DATE,
    SyncedEntry,
    SyncedLogs,
)

PEER = "it.example/coordination/log"


@pytest.fixture
def logs(system: System) -> Iterator[SyncedLogs]:
    storage = open_storage(system.target, system.app)
    storage.create_tables()
    yield SyncedLogs(storage)
    storage.close()


def page(start: int, count: int) -> tuple[list[SyncedEntry], list[str | None]]:
    entries, ids = [], []
    for index in range(start, start + count):
        visible = index % 3 != 2
        body = b'{"id":"e%d"}' % index
        entries.append(SyncedEntry(PEER, index, leaf_hash(body), body if visible else None))
        ids.append(f"e{index}" if visible else None)
    return entries, ids


def test_a_page_and_the_cursor_move_together_once(logs: SyncedLogs) -> None:
    first, first_ids = page(0, 5)
    second, second_ids = page(5, 3)
    leaves = [e.leaf_hash for e in first + second]
    logs.verified_checkpoint(PEER, 8, root_hash(leaves), "note\n")
    assert logs.verified_size(PEER) == 0

    after_first = CompactRange().extended(e.leaf_hash for e in first)
    assert logs.store_page(PEER, first, first_ids, after_first)
    assert not logs.store_page(PEER, first, first_ids, after_first)  # a retry stores nothing
    assert logs.verified_size(PEER) == 5
    assert logs.state(PEER).state == SYNCING  # type: ignore[union-attr]

    after_second = after_first.extended(e.leaf_hash for e in second)
    assert logs.store_page(PEER, second, second_ids, after_second)
    state = logs.state(PEER)
    assert state is not None
    assert (state.cursor, state.state, state.lag_entries) == (8, UP_TO_DATE, 0)
    assert state.compact.root() == root_hash(leaves)

    assert logs.origins() == [PEER]
    stored = logs.entries(PEER, 0, 100)
    assert [e.index for e in stored] == list(range(8))
    assert stored == first + second
    assert [e.index for e in logs.entries(PEER, 3, 2)] == [3, 4]
    assert logs.entry_by_event_id(PEER, "e4") == first[4]
    assert logs.entry_by_event_id(PEER, "e2") is None  # a stub has no event id
    assert logs.entry_by_event_id("other.example/log", "e4") is None


def test_a_full_page_is_stored_byte_for_byte_whatever_its_bytes_hold(logs: SyncedLogs) -> None:
    # A page goes to PostgreSQL as one COPY, whose text form has escapes of its own (a
    # backslash, a tab, a newline, \N for NULL): every byte a served entry, a leaf hash
    # or a subject may hold must come back as it went in.
    entries, ids, subjects = [], [], []
    for index in range(1000):
        visible = index % 7 != 3
        body = (
            '{"data":{"note":"back\\\\slash \\"quoted\\" \\t\\n \\u0000 ü € 𝄞 \\\\N",'
            f'"n":{index}}},"id":"e{index}"}}'
        ).encode()
        hashed = bytes([index % 256, 0x5C, 0x09, 0x0A, 0x0D, 0x00]) + leaf_hash(body)[6:]
        entries.append(SyncedEntry(PEER, index, hashed, body if visible else None))
        ids.append(f"e{index}" if visible else None)
        subject = "\\N" if index % 11 == 0 else f"stream\\{index % 5}\tü"
        subjects.append(subject if visible else None)
    after = CompactRange().extended(e.leaf_hash for e in entries)
    logs.verified_checkpoint(PEER, 1000, after.root(), "note\n")

    assert logs.store_page(PEER, entries, ids, after, subjects=subjects)

    assert logs.entries(PEER, 0, 2000) == entries
    assert logs.entry_by_event_id(PEER, "e999") == entries[999]
    assert logs.entry_by_event_id(PEER, "e3") is None  # a stub has no event id
    of_stream = logs.entries_of_stream(PEER, "stream\\2\tü")
    assert of_stream == [e for e, s in zip(entries, subjects, strict=True) if s == "stream\\2\tü"]
    null_text = [i for i in range(0, 1000, 11) if subjects[i] is not None]
    assert [e.index for e in logs.entries_of_stream(PEER, "\\N")] == null_text
    assert logs.state(PEER).cursor == 1000  # type: ignore[union-attr]


def test_a_checkpoint_moves_forward_only_and_lag_is_counted(logs: SyncedLogs) -> None:
    logs.verified_checkpoint(PEER, 4, b"\x01" * 32, "four\n")
    smaller = logs.verified_checkpoint(PEER, 2, b"\x02" * 32, "two\n")
    assert (smaller.size, smaller.root, smaller.checkpoint_note) == (4, b"\x01" * 32, "four\n")
    assert smaller.lag_entries == 4
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert smaller.lag_seconds(later) >= 29


def test_a_conflict_stays_until_marked_otherwise_by_a_conflict(logs: SyncedLogs) -> None:
    logs.mark(PEER, KEY_REFUSED, "no key")  # a peer not yet synced gets a row
    assert logs.state(PEER).state == KEY_REFUSED  # type: ignore[union-attr]
    assert logs.verified_size(PEER) == 0
    logs.mark(PEER, CONFLICT, "rewrote history")
    logs.mark(PEER, UP_TO_DATE)
    state = logs.state(PEER)
    assert state is not None
    assert (state.state, state.last_error) == (CONFLICT, "rewrote history")
