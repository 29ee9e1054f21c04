"""Tampering with a node's stored log, on either store, each kind undone again.

Each kind changes the database behind the node's back (raw SQL, as someone with access to
it would) and says which check must find it, at which log index, and how to put it right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coordination.audit.stored import stored_hash_index
from coordination.bootstrap import System
from tests.audit.support import execute, execute_at_once


@dataclass(frozen=True)
class Tampered:
    """What was done: the check that must find it, the index it must name (None: the
    log as a whole), and how to undo it."""

    check: str
    index: int | None
    undo: Callable[[], None]


def _events_table(system: System) -> tuple[str, str]:
    """The event table and its notification id column."""
    table = str(system.app.recorder.events_table_name)
    return table, ("notification_id" if system.target.is_postgres else "rowid")


def _one_byte(data: bytes, marker: bytes) -> bytes:
    """``data`` with the letter after ``marker`` in the other case: one byte changed."""
    at = data.index(marker) + len(marker)
    letter = data[at : at + 1]
    assert letter.isalpha(), (marker, letter)
    return data[:at] + letter.swapcase() + data[at + 1 :]


def event_state(system: System, index: int = 42, marker: bytes = b'"actor":"') -> Tampered:
    """One byte of the stored event of entry ``index`` (its state, as the event table
    holds it)."""
    ((notification_id,),) = execute(
        system, "SELECT notification_id FROM log_entries WHERE idx = ?", (index,)
    )
    table, key = _events_table(system)
    ((state,),) = execute(system, f"SELECT state FROM {table} WHERE {key} = ?", (notification_id,))
    original = bytes(state)

    def put(value: bytes) -> None:
        execute(system, f"UPDATE {table} SET state = ? WHERE {key} = ?", (value, notification_id))

    put(_one_byte(original, marker))
    return Tampered("event", index, lambda: put(original))


THEME_DEFINED = "coordination.partnership.theme_defined.v1"


def stored_event(system: System) -> Tampered:
    """One byte of a stored event: a theme's name where the log has a theme (as in the
    issue that asked for the self-audit), else the actor of entry 42's event."""
    themes = execute(
        system, "SELECT idx FROM log_entries WHERE type = ? ORDER BY idx LIMIT 1", (THEME_DEFINED,)
    )
    if themes:
        return event_state(system, int(themes[0][0]), b'"name":"')
    return event_state(system)


def entry_byte(system: System, index: int = 42) -> Tampered:
    """One byte of the entry at ``index``."""
    ((entry,),) = execute(system, "SELECT entry FROM log_entries WHERE idx = ?", (index,))
    original = bytes(entry)

    def put(value: bytes) -> None:
        execute(system, "UPDATE log_entries SET entry = ? WHERE idx = ?", (value, index))

    put(_one_byte(original, b'"datacontenttype":"'))
    return Tampered("leaf_hash", index, lambda: put(original))


def entry_deleted(system: System, index: int = 99) -> Tampered:
    """The entry at ``index`` deleted: a hole in the indexes."""
    (row,) = execute(system, "SELECT * FROM log_entries WHERE idx = ?", (index,))
    execute(system, "DELETE FROM log_entries WHERE idx = ?", (index,))
    marks = ", ".join("?" * len(row))
    return Tampered(
        "entry", index, lambda: execute(system, f"INSERT INTO log_entries VALUES ({marks})", row)
    )


def entries_swapped(system: System, first: int = 10, second: int = 20) -> Tampered:
    """The entries at ``first`` and ``second`` swapped, each with its leaf hash."""
    rows: dict[int, tuple[Any, ...]] = {
        idx: (bytes(entry), bytes(leaf))
        for idx, entry, leaf in execute(
            system,
            "SELECT idx, entry, leaf_hash FROM log_entries WHERE idx IN (?, ?)",
            (first, second),
        )
    }

    def put(mapping: dict[int, int]) -> None:
        for idx, source in mapping.items():
            execute(
                system,
                "UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = ?",
                (*rows[source], idx),
            )

    put({first: second, second: first})
    return Tampered("sequence", first, lambda: put({first: first, second: second}))


def tree_hash_zeroed(system: System, level: int = 7) -> Tampered:
    """The stored hash of the first subtree of ``2**level`` entries zeroed."""
    storage_index = stored_hash_index(level, 0)
    ((original,),) = execute(
        system, "SELECT hash FROM log_hashes WHERE storage_index = ?", (storage_index,)
    )

    def put(value: bytes) -> None:
        execute(
            system, "UPDATE log_hashes SET hash = ? WHERE storage_index = ?", (value, storage_index)
        )

    put(b"\x00" * 32)
    return Tampered("tree", 0, lambda: put(bytes(original)))


def checkpoint_altered(system: System) -> Tampered:
    """One character of the latest checkpoint's signature changed."""
    ((size, note),) = execute(
        system, "SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1"
    )
    at = note.rstrip("\n").rindex(" ") + 20  # inside the signature (past the key id)
    altered = note[:at] + ("B" if note[at] != "B" else "C") + note[at + 1 :]

    def put(value: str) -> None:
        execute(system, "UPDATE log_checkpoints SET note = ? WHERE size = ?", (value, size))

    put(altered)
    return Tampered("checkpoint", None, lambda: put(note))


def log_wiped(system: System) -> Tampered:
    """The log's tables emptied at once, the integrator's position back at the start, as
    whoever can write the database could: the node integrates every event again, into
    the same entries, but the checkpoints it signed are gone (undone by putting them
    back)."""
    checkpoints = execute(system, "SELECT * FROM log_checkpoints")
    execute_at_once(
        system,
        [
            "DELETE FROM log_entries",
            "DELETE FROM log_hashes",
            "DELETE FROM log_checkpoints",
            "UPDATE integrator_position SET notification_id = 0, size = 0",
        ],
    )

    def undo() -> None:
        for row in checkpoints:
            marks = ", ".join("?" * len(row))
            execute(system, f"INSERT INTO log_checkpoints VALUES ({marks})", row)

    return Tampered("last_checkpoint", None, undo)


#: Every kind, by name.
TAMPERINGS: dict[str, Callable[[System], Tampered]] = {
    "one byte of a stored event": stored_event,
    "one byte of an entry": entry_byte,
    "an entry deleted": entry_deleted,
    "two entries swapped": entries_swapped,
    "a tree hash zeroed": tree_hash_zeroed,
    "a checkpoint altered": checkpoint_altered,
}
