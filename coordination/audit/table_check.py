"""The event table held against the verified log: does each stored event still give the
bytes of its signed entry?

``check-replay`` builds its views from the verified log, so an event altered in the
event table after it was logged no longer shows in what it builds; this says where the
table and the log disagree, entry by entry: the envelope built again from the stored
row (``EntryEncoder``, as the integrator built it) must be the entry's bytes. Only the
names of the attributes and data fields that differ are given, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from .entry_encoder import EntryEncoder

if TYPE_CHECKING:
    from .storage import EventRow, LogStorage
    from .verified import VerifiedEntry, VerifiedLog


@dataclass(frozen=True)
class Disagreement:
    """Where the event table and the signed log disagree.

    Attributes:
        index: The entry's index (None for an event the log does not have).
        notification_id: The event's notification id in the event table.
        detail: What differs.
    """

    index: int | None
    notification_id: int
    detail: str

    def describe(self) -> str:
        where = f"entry {self.index}" if self.index is not None else "the event table"
        return f"{where} (notification id {self.notification_id}): {self.detail}"


def compare_table(
    verified: VerifiedLog, storage: LogStorage, encoder: EntryEncoder
) -> list[Disagreement]:
    """Every place up to the verified log's checkpoint where the table and the log disagree.

    Args:
        verified: The node's log, verified (its entries carry their notification ids).
        storage: The node's log storage, which reads the event table's rows.
        encoder: The integrator's encoder of stored events (the node's mapper and origin).
    """
    found: list[Disagreement] = []
    for page in verified.pages():
        ids = [entry.notification_id for entry in page if entry.notification_id is not None]
        if not ids:
            continue
        rows = {row[0]: row for row in storage.read_events(ids[0], ids[-1] - ids[0] + 1)}
        for entry in page:
            row = rows.pop(entry.notification_id, None) if entry.notification_id else None
            found += _compare(entry, row, encoder)
        found += [
            Disagreement(None, nid, "the event table has an event the signed log does not have")
            for nid in sorted(rows)
            if nid <= ids[-1]
        ]
    return found


def _compare(
    entry: VerifiedEntry, row: EventRow | None, encoder: EntryEncoder
) -> list[Disagreement]:
    nid = entry.notification_id or 0
    if row is None:
        return [Disagreement(entry.index, nid, "the event table has no event of this entry")]
    try:
        rebuilt = encoder.entries([row], entry.index)[0].entry
    except Exception as exc:  # the stored state is not an event any more: say so, go on
        return [Disagreement(entry.index, nid, f"the stored event cannot be read: {exc}")]
    if rebuilt == entry.entry:
        return []
    names = _differing(orjson.loads(rebuilt), entry.envelope)
    return [
        Disagreement(
            entry.index,
            nid,
            f"the stored event is not the one the log signed: {', '.join(names)} differ",
        )
    ]


def _differing(stored: dict[str, Any], signed: dict[str, Any]) -> list[str]:
    names = [
        key
        for key in sorted(stored.keys() | signed.keys())
        if key != "data" and stored.get(key) != signed.get(key)
    ]
    data, signed_data = stored.get("data", {}), signed.get("data", {})
    names += [
        f"data.{key}"
        for key in sorted(data.keys() | signed_data.keys())
        if data.get(key) != signed_data.get(key)
    ]
    return names or ["the bytes"]
