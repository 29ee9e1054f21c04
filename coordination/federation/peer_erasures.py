"""A peer's erasures applied to its synced log (B10, decision 46).

When a peer forgets a person it records `SubjectErased` (audience `transnational`), and
its partners must drop what they hold of that person. Every entry of a peer's synced log
whose data seals a datum of a person (as `privacy.sealed_fields` recognises them) is
indexed by (origin, person, index) as its page is stored; when a stored page holds the
peer's `SubjectErased` of a person, that peer's entries sealing a datum of the person
become stubs in the same transaction: leaf hash kept (the tree still verifies offline),
event id, subject and bytes gone, as for an entry the node may not see. The erasure is
kept by (origin, person), so an entry of that person arriving later is stored as a stub
from the start. Only the peer that sealed a datum erases it: another peer's entries about
the same id are that peer's to erase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import orjson

from coordination.audit.side_tables import Rows
from coordination.domain.data_subject import DataSubject
from coordination.privacy.sealed_fields import SEALED_KEYS, sealed_subjects

from .peer_tables import PeerTables

#: The type of `SubjectErased` entries, any version.
ERASED_TYPE = f"{DataSubject.Erased.TOPIC}.v"
#: Bytes an entry holds (JCS: keys unescaped, no spaces) if it seals a datum, and if it
#: records an erasure: most entries are not parsed a second time.
_SEALED_MARKS = tuple(f'"{key}":'.encode() for key in sorted(SEALED_KEYS))
_ERASED_MARK = ERASED_TYPE.encode()


@dataclass(frozen=True)
class Persons:
    """What an entry holds of persons: whose data it seals, and whom it records erased."""

    sealed: frozenset[str] = frozenset()
    erased: str | None = None


def persons_of(envelope: bytes | None) -> Persons:
    """The persons an entry's bytes (verified JCS, or None for a stub) concern."""
    if envelope is None:
        return Persons()
    if _ERASED_MARK not in envelope and not all(mark in envelope for mark in _SEALED_MARKS):
        return Persons()
    parsed = orjson.loads(envelope)
    if not isinstance(parsed, dict):
        return Persons()
    sealed = frozenset(str(s) for s in sealed_subjects(parsed.get("data")))
    kind, subject = parsed.get("type"), parsed.get("subject")
    if not (isinstance(kind, str) and kind.startswith(ERASED_TYPE) and isinstance(subject, str)):
        return Persons(sealed)
    try:
        return Persons(sealed, str(UUID(subject)))
    except ValueError:
        return Persons(sealed)


@dataclass(frozen=True)
class Forgotten:
    """What erasures did to a page: its entries to store as stubs, and how many entries
    stored before were dropped."""

    hidden: frozenset[int]
    dropped: int


def forget_erased(
    tables: PeerTables, rows: Rows, origin: str, page: Sequence[tuple[int, bytes | None]]
) -> Forgotten:
    """In the transaction that stores ``page`` (index and bytes of each entry), before its
    entries are written: index the persons whose data they seal, keep the erasures they
    record, and drop the peer's entries of every person erased (before, or in this page)."""
    persons = {index: persons_of(envelope) for index, envelope in page}
    erased_now = {p.erased for p in persons.values() if p.erased is not None}
    sealed = {subject for p in persons.values() for subject in p.sealed}
    erased = erased_now | _erased_before(tables, rows, origin, sealed - erased_now)
    hidden = frozenset(index for index, p in persons.items() if p.sealed & erased)
    rows.executemany(
        tables.sql("INSERT INTO {p}peer_personal (origin, subject, idx) VALUES (%s, %s, %s)"),
        [
            (origin, subject, index)
            for index, person in persons.items()
            if index not in hidden
            for subject in sorted(person.sealed)
        ],
    )
    rows.executemany(
        tables.sql(
            "INSERT INTO {p}peer_erased (origin, subject, idx) VALUES (%s, %s, %s)"
            " ON CONFLICT (origin, subject) DO NOTHING"
        ),
        [(origin, p.erased, index) for index, p in persons.items() if p.erased is not None],
    )
    dropped = sum(_drop(tables, rows, origin, subject) for subject in sorted(erased_now))
    return Forgotten(hidden, dropped)


def _erased_before(tables: PeerTables, rows: Rows, origin: str, subjects: set[str]) -> set[str]:
    found: set[str] = set()
    for subject in sorted(subjects):
        if rows.execute(
            tables.sql("SELECT 1 FROM {p}peer_erased WHERE origin = %s AND subject = %s"),
            (origin, subject),
        ):
            found.add(subject)
    return found


def _drop(tables: PeerTables, rows: Rows, origin: str, subject: str) -> int:
    """Make the stored entries of ``origin`` sealing a datum of ``subject`` stubs."""
    indexes = [
        (origin, int(row[0]))
        for row in rows.execute(
            tables.sql("SELECT idx FROM {p}peer_personal WHERE origin = %s AND subject = %s"),
            (origin, subject),
        )
    ]
    with tables.overwriting(rows):
        rows.executemany(
            tables.sql(
                "UPDATE {p}peer_entries SET envelope = NULL, event_id = NULL, subject = NULL"
                " WHERE origin = %s AND idx = %s"
            ),
            indexes,
        )
        rows.executemany(
            tables.sql("DELETE FROM {p}peer_personal WHERE origin = %s AND idx = %s"), indexes
        )
    return len(indexes)
