"""The self-audit: what the node stores, checked against what it signed (decision 35).

For a range of log indexes it checks, in one chunk of entries at a time:

- **event**: every stored event against its entry: the envelope built again from the
  stored row (the integrator's own `EntryEncoder`) gives exactly the entry's bytes, and
  the columns stored beside the entry (event id, stream, version, type, audience); an
  entry whose event row is gone, and an event row in the integrated range without an
  entry, are findings too;
- **entry**: the indexes run without a hole, in the order of the events' notification ids;
- **sequence** and **leaf_hash**: each entry's ``sequence`` is its index, and its bytes
  hash (RFC 9162 leaf hash) to its stored leaf hash;
- **tree**: the stored tree's hashes are those of the entries (`tree_audit`);
- **checkpoint**: each signed checkpoint in the range verifies with the node's key, its
  stored size and root are those it signs, and that root is the one the entries give.

A full pass (`AuditPass`) covers the log as it stood when the pass began, carrying the
tree's frontier from chunk to chunk; a newly integrated range (`RangeCursor.after`)
starts from the stored frontier, which the passes check. Nothing here waits or decides
what to do with a finding: `auditor.Auditor` paces the work and raises the alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from ._encoding import b64encode
from .checkpoint import CheckpointError, open_checkpoint
from .entry_encoder import EntryEncoder
from .envelope import sequence
from .integrity import Finding, FullPass
from .merkle import leaf_hash
from .note import NoteError, Verifier
from .storage import EventRow, LogEntry, LogStorage, Position, StorageCorruptError
from .stored import stored_hash_count
from .tree_audit import Frontier, RangeTree, frontier_indexes

#: Entries checked per chunk: a few MB read, a few tens of ms of work.
CHUNK = 1000


@dataclass
class Carry:
    """What a chunk hands the next: the tree's frontier at its end, the notification id
    of its last entry, and whether the tree is still known (a hole leaves it unknown)."""

    frontier: Frontier = field(default_factory=dict)
    last_notification: int = 0
    tree_known: bool = True


def _hashes(text: bytes) -> str:
    return b64encode(text)[:12] + "…"


class SelfAudit:
    """The checks over one node's log.

    Args:
        storage: The log's storage.
        encoder: The integrator's encoder (the application's mapper, the node's origin).
        verifiers: The node's log key, and any earlier ones its older checkpoints are
            signed with.
    """

    def __init__(
        self, storage: LogStorage, encoder: EntryEncoder, verifiers: Sequence[Verifier]
    ) -> None:
        self.storage, self.encoder, self.verifiers = storage, encoder, tuple(verifiers)

    def check(self, lo: int, hi: int, carry: Carry, end: Position) -> tuple[list[Finding], Carry]:
        """Check the entries ``lo <= index < hi`` of the range integrated up to ``end``.

        Args:
            lo: The first index.
            hi: The index after the last.
            carry: What the chunk before handed on.
            end: The integrator's position at the range's end: at ``hi == end.size``
                every event up to its notification id must have an entry.

        Returns:
            The findings, and what the next chunk needs.
        """
        entries = self.storage.entries(lo, hi)
        findings: list[Finding] = []
        present = self._order(lo, hi, entries, carry.last_notification, findings)
        bound = end.notification_id if hi == end.size else _last(entries, carry, end)
        rows = self._events(carry.last_notification, bound)
        checked = {f.index for f in findings}
        findings += self._entries(entries, rows, checked)
        for notification_id in sorted(rows):
            findings.append(
                Finding(
                    "event",
                    None,
                    f"the stored event of notification {notification_id} has no entry in the"
                    " log: it was recorded behind the integrator",
                )
            )
        tree, more = self._tree(lo, hi, present, carry)
        findings += more
        if tree is not None:
            findings += self._checkpoints(lo, hi, tree)
        frontier = tree.frontier(hi) if tree is not None else {}
        return findings, Carry(frontier, bound, tree is not None)

    def _order(
        self,
        lo: int,
        hi: int,
        entries: Sequence[LogEntry],
        after: int,
        findings: list[Finding],
    ) -> dict[int, LogEntry]:
        """The entries by index; holes and entries out of notification order are findings."""
        present: dict[int, LogEntry] = {}
        expected = lo
        for entry in [*entries, None]:
            index = hi if entry is None else entry.index
            if index > expected:
                span = f"entry {expected}" if index == expected + 1 else f"entries {expected}"
                span += "" if index == expected + 1 else f" to {index - 1}"
                findings.append(Finding("entry", expected, f"{span} missing: the log has a hole"))
            if entry is None:
                break
            if entry.notification_id <= after:
                findings.append(
                    Finding(
                        "entry",
                        entry.index,
                        f"its notification id {entry.notification_id} is not above the entry"
                        " before it: entries were moved",
                    )
                )
            after = max(after, entry.notification_id)
            present[entry.index] = entry
            expected = entry.index + 1
        return present

    def _events(self, after: int, bound: int) -> dict[int, EventRow]:
        """The stored events with ``after < notification id <= bound``, by notification id."""
        rows: dict[int, EventRow] = {}
        start = after + 1
        while start <= bound:
            page = self.storage.read_events(start, min(bound - start + 1, CHUNK))
            rows.update((row[0], row) for row in page if row[0] <= bound)
            if not page:
                break
            start = page[-1][0] + 1
        return rows

    def _entries(
        self, entries: Sequence[LogEntry], rows: dict[int, EventRow], checked: set[int | None]
    ) -> list[Finding]:
        """Each entry against its sequence, its leaf hash and its event (one finding each
        at most); the rows matched are taken out of ``rows``."""
        findings: list[Finding] = []
        matched: list[tuple[LogEntry, EventRow]] = []
        for entry in entries:
            row = rows.pop(entry.notification_id, None)
            problem = _sequence_problem(entry) or _leaf_problem(entry)
            if problem is not None:
                findings.append(problem)
            elif row is None:
                findings.append(
                    Finding(
                        "event",
                        entry.index,
                        f"its stored event (notification {entry.notification_id}) is gone",
                    )
                )
            elif entry.index not in checked:
                matched.append((entry, row))
        for entry, built in zip(
            (entry for entry, _ in matched), self._encode(matched), strict=True
        ):
            if built != entry:
                findings.append(Finding("event", entry.index, _difference(entry, built)))
        return findings

    def _encode(self, matched: list[tuple[LogEntry, EventRow]]) -> list[LogEntry]:
        """The entries the integrator would make of the rows, in runs of consecutive
        indexes (the encoder numbers a run's rows itself)."""
        built: list[LogEntry] = []
        start = 0
        for end in range(1, len(matched) + 1):
            if end == len(matched) or matched[end][0].index != matched[end - 1][0].index + 1:
                run = matched[start:end]
                built += self.encoder.entries([row for _, row in run], run[0][0].index)
                start = end
        return built

    def _tree(
        self, lo: int, hi: int, present: dict[int, LogEntry], carry: Carry
    ) -> tuple[RangeTree | None, list[Finding]]:
        """The range's stored tree hashes against its entries; the computed tree, or None
        when it cannot be known (a hole before or here, hashes missing)."""
        if not carry.tree_known:
            return None, []
        first = stored_hash_count(lo)
        try:
            stored = self.storage.read_hashes(range(first, stored_hash_count(hi)))
        except StorageCorruptError as error:
            return None, [Finding("tree", lo, f"{error}")]
        leaves = []
        for index in range(lo, hi):
            entry = present.get(index)
            if entry is None:  # a hole: its leaf from the stored tree, to go on past it
                leaves.append(stored[stored_hash_count(index) - first])
            else:
                leaves.append(leaf_hash(entry.entry))
        tree = RangeTree.build(lo, leaves, carry.frontier)
        return tree, [
            Finding(
                "tree",
                first_leaf,
                f"the stored tree hash {storage_index} (entries {first_leaf} to {last_leaf})"
                " is not the hash of those entries",
            )
            for storage_index, first_leaf, last_leaf in tree.differing(stored)
        ]

    def _checkpoints(self, lo: int, hi: int, tree: RangeTree) -> list[Finding]:
        """The signed checkpoints of sizes ``lo < size <= hi``."""
        findings = []
        size = lo + 1
        while size <= hi:
            stored = self.storage.covering_checkpoint(size)
            if stored is None or stored.size > hi:
                break
            size = stored.size + 1
            problem = self._checkpoint_problem(stored.size, stored.root, stored.note, tree)
            if problem is not None:
                findings.append(Finding("checkpoint", None, problem))
        return findings

    def _checkpoint_problem(self, size: int, root: bytes, note: str, tree: RangeTree) -> str | None:
        what = f"the checkpoint of size {size}"
        try:
            signed = open_checkpoint(note, self.verifiers, origin=self.encoder.origin)
        except (NoteError, CheckpointError) as error:
            return f"{what} does not verify with the node's key: {error}"
        if (signed.size, signed.root_hash) != (size, root):
            return f"{what}: its stored size or root is not what its note signs"
        ours = tree.root(size)
        if ours != signed.root_hash:
            return (
                f"{what} signs the root {_hashes(signed.root_hash)}, the entries give"
                f" {_hashes(ours)}"
            )
        return None

    def frontier_at(self, size: int) -> Frontier:
        """The stored frontier of the tree of ``size`` leaves (where a new range starts).

        Raises:
            StorageCorruptError: A hash of it is missing.
        """
        indexes = frontier_indexes(size)
        return dict(zip(indexes, self.storage.read_hashes(indexes), strict=True))


def _last(entries: Sequence[LogEntry], carry: Carry, end: Position) -> int:
    """The notification id up to which a chunk's events are read: its last entry's, or,
    were that altered to lie outside the range, the highest of the others inside it."""
    inside = [
        e.notification_id
        for e in entries
        if carry.last_notification < e.notification_id <= end.notification_id
    ]
    if entries and entries[-1].notification_id in inside:
        return entries[-1].notification_id
    return max(inside, default=carry.last_notification)


def _sequence_problem(entry: LogEntry) -> Finding | None:
    marker = b'"sequence":"' + sequence(entry.index).encode() + b'"'
    if marker in entry.entry:
        return None
    try:
        said = orjson.loads(entry.entry).get("sequence")
    except (orjson.JSONDecodeError, AttributeError):
        return Finding("sequence", entry.index, "its bytes are not a JSON envelope")
    if isinstance(said, str) and said.isdigit():
        return Finding(
            "sequence",
            entry.index,
            f"its sequence says it is entry {int(said)}: entries were swapped or moved",
        )
    return Finding("sequence", entry.index, "its envelope has no sequence of its index")


def _leaf_problem(entry: LogEntry) -> Finding | None:
    if leaf_hash(entry.entry) == entry.leaf_hash:
        return None
    return Finding(
        "leaf_hash",
        entry.index,
        "its bytes do not hash to its stored leaf hash: the entry was altered",
    )


def _difference(stored: LogEntry, built: LogEntry) -> str:
    """What differs between a stored entry and the one its event gives (names only)."""
    if stored.entry != built.entry:
        return (
            f"the envelope built again from its stored event (notification"
            f" {stored.notification_id}) differs from the entry's bytes: the event or the"
            " entry was altered"
        )
    fields = [
        name
        for name in ("event_id", "stream_id", "stream_version", "type", "audience")
        if getattr(stored, name) != getattr(built, name)
    ]
    named = ", ".join(fields) or "columns"
    return f"the {named} stored beside the entry differ from its envelope"


class RangeCursor:
    """A range of the log checked chunk by chunk: ``step`` checks the next chunk.

    Args:
        audit: The checks.
        start: Where the range begins: its size and the notification id integrated there.
        end: Where it ends.
        carry: The frontier at ``start``; read from storage when None.
    """

    def __init__(
        self, audit: SelfAudit, start: Position, end: Position, carry: Carry | None = None
    ) -> None:
        self.audit, self.end = audit, end
        self.next = start.size
        self.findings = 0
        self._carry = carry
        self._start_notification = start.notification_id

    @property
    def done(self) -> bool:
        """Whether every chunk was checked."""
        return self.next >= self.end.size

    def extend(self, end: Position) -> None:
        """Go on to ``end`` (a range integrated right after this one)."""
        self.end = end

    def step(self, chunk: int = CHUNK) -> list[Finding]:
        """Check the next chunk of at most ``chunk`` entries; its findings."""
        if self.done:
            return []
        carry = self._carry
        if carry is None:
            carry = Carry(last_notification=self._start_notification)
            try:
                carry.frontier = self.audit.frontier_at(self.next)
            except StorageCorruptError as error:
                carry.tree_known = False
                self._carry = carry
                self.findings += 1
                return [Finding("tree", self.next, f"{error}")]
        end = self.end  # `extend` may move it meanwhile
        hi = min(self.next + chunk, end.size)
        found, self._carry = self.audit.check(self.next, hi, carry, end)
        self.next = hi
        self.findings += len(found)
        return found


class AuditPass(RangeCursor):
    """A full pass over the log as it stood when the pass began."""

    def __init__(self, audit: SelfAudit) -> None:
        self.started_at = datetime.now(UTC)
        end = audit.storage.position()
        super().__init__(audit, Position(0, 0), end, Carry())
        latest = audit.storage.latest_checkpoint()
        self.first: list[Finding] = []
        if latest is not None and latest.size > end.size:
            self.first.append(
                Finding(
                    "checkpoint",
                    None,
                    f"a checkpoint of size {latest.size} is stored but the log has"
                    f" {end.size} entries: entries were removed",
                )
            )
            self.findings += 1

    def step(self, chunk: int = CHUNK) -> list[Finding]:
        first, self.first = self.first, []
        return first + super().step(chunk)

    def summary(self) -> FullPass:
        """What the pass did, for the integrity state."""
        return FullPass(self.started_at, datetime.now(UTC), self.end.size, self.findings)
