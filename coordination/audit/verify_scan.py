"""The entries of a log, one after the other, as ``verify`` checks them.

Each entry given must be at its place (its index, and its envelope's ``sequence``, are
its position), hash to its leaf hash, be an envelope of this log, and extend the tree;
the roots of the checkpoints the source carries are compared as the tree reaches their
sizes. What the scan finds:

- an entry out of place: read on to the place it claims; if the entry there claims this
  one's place, the two were swapped (both named), else the first is missing or altered;
- a root that differs from a carried checkpoint's: the scan stops there
  (``broken``); every earlier carried checkpoint matched (``good``), so the rewrite lies
  in between. The bytes may name the entry: a stream's versions that do not follow on
  (1, 2, 3 in log order), or what the node's database stores beside an entry
  contradicting its bytes, are kept as ``suspect`` (the first since the last good
  checkpoint) for the verifier to name.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .checkpoint import Checkpoint
from .envelope import SEQUENCE_DIGITS, EnvelopeError, check_envelope
from .merkle import EMPTY_ROOT, leaf_hash
from .verify_report import Failure
from .verify_sources import SourceEntry
from .verify_tree import Frontier

#: Called with each entry's index and envelope once it has been checked.
OnEntry = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True)
class _OutOfPlace:
    position: int
    claimed: int
    failure: Failure


def claimed_place(item: SourceEntry, position: int, envelope: Any) -> int | None:
    """The place an entry given at ``position`` claims: the index the source gives it
    when that is another, else its envelope's ``sequence`` (None if it has none)."""
    if item.index != position:
        return item.index
    sequence = envelope.get("sequence") if isinstance(envelope, dict) else None
    if isinstance(sequence, str) and len(sequence) == SEQUENCE_DIGITS and sequence.isdigit():
        return int(sequence)
    return None


class EntryScan:
    """Checks entries fed one by one; see the module docstring.

    Args:
        origin: The log's origin, every envelope's ``source``.
        size: The signed tree's size.
        carried: Verified checkpoints of the log by size, the signed one last.
        wanted: Tree sizes whose prefix roots to keep (``prefix_roots``).
        on_entry: Told of every entry checked.
    """

    def __init__(
        self,
        *,
        origin: str,
        size: int,
        carried: Sequence[Checkpoint],
        wanted: set[int],
        on_entry: OnEntry | None = None,
    ) -> None:
        self.origin, self.size, self.wanted, self.on_entry = origin, size, wanted, on_entry
        self.frontier, self.leaves = Frontier(), bytearray()
        self.prefix_roots = {0: EMPTY_ROOT}
        #: Entries checked and added to the tree; those given without their event.
        self.checked, self.hidden = 0, 0
        self.failure: Failure | None = None
        #: The first carried checkpoint whose root differs, the size of the last that
        #: matched, and the first suspicious entry after that one.
        self.broken: Checkpoint | None = None
        self.good = 0
        self.suspect: Failure | None = None
        self.last_envelope: dict[str, Any] | None = None
        self._carried = deque(carried)
        self._position = 0
        self._out_of_place: _OutOfPlace | None = None
        self._versions: dict[str, int] = {}

    def feed(self, item: SourceEntry) -> bool:
        """Check the next entry given; False once the scan has stopped."""
        position = self._position
        self._position += 1
        if self._out_of_place is not None:
            return self._settle(item, position)
        if item.problem is not None:
            return self._stop(Failure(position, item.problem))
        if item.index != position:
            if item.index < position:
                return self._stop(
                    Failure(position, f"index {item.index} given again or out of order")
                )
            missing = Failure(position, f"missing: the next entry given has index {item.index}")
            return self._misplaced(position, item.index, missing)
        if item.entry is None:
            assert item.leaf_hash is not None
            self.hidden += 1
            return self._extend(item.leaf_hash)
        leaf = leaf_hash(item.entry)
        altered = item.leaf_hash is not None and item.leaf_hash != leaf
        try:
            envelope = item.envelope if item.envelope is not None else orjson.loads(item.entry)
        except ValueError as exc:
            return self._stop(Failure(position, f"not a valid envelope: {exc}"))
        claimed = claimed_place(item, position, envelope)
        if altered:
            failure = Failure(
                position, "its bytes do not hash to its leaf hash: the entry was altered"
            )
            return self._misplaced(position, claimed, failure)
        try:
            check_envelope(envelope, position)
        except EnvelopeError as exc:
            return self._misplaced(
                position, claimed, Failure(position, f"not a valid envelope: {exc}")
            )
        if envelope["source"] != self.origin:
            return self._stop(
                Failure(position, f"its source is {envelope['source']!r}, not the log's origin")
            )
        self._look_closer(position, envelope, item)
        self.last_envelope = envelope
        if self.on_entry is not None:
            self.on_entry(position, envelope)
        return self._extend(leaf)

    def finish(self) -> None:
        """The source has given every entry it has."""
        if self._out_of_place is not None and self.failure is None:
            self.failure = self._out_of_place.failure

    def _extend(self, leaf: bytes) -> bool:
        self.frontier.add(leaf)
        self.leaves += leaf
        self.checked += 1
        size = self.checked
        if size in self.wanted:
            self.prefix_roots[size] = self.frontier.root()
        if self._carried and self._carried[0].size == size:
            checkpoint = self._carried.popleft()
            if self.frontier.root() != checkpoint.root_hash:
                self.broken = checkpoint
                return False
            self.good, self.suspect = size, None
        return True

    def _stop(self, failure: Failure) -> bool:
        self.failure = failure
        return False

    def _misplaced(self, position: int, claimed: int | None, failure: Failure) -> bool:
        """An entry at ``position`` claims the place ``claimed``: read on to see whether
        the entry there claims this one's (a swap), when that place is ahead."""
        if claimed is None or not position < claimed < self.size:
            return self._stop(failure)
        self._out_of_place = _OutOfPlace(position, claimed, failure)
        return True

    def _settle(self, item: SourceEntry, position: int) -> bool:
        pending = self._out_of_place
        assert pending is not None
        if position < pending.claimed:
            return True
        envelope = None
        if item.index == position and item.entry is not None:
            try:
                envelope = item.envelope or orjson.loads(item.entry)
            except ValueError:
                return self._stop(pending.failure)
        claim = claimed_place(item, position, envelope) if item.problem is None else None
        if claim != pending.position:
            return self._stop(pending.failure)
        first, second = pending.position, pending.claimed
        return self._stop(
            Failure(
                first,
                f"swapped with entry {second}: entry {first} holds the entry of index"
                f" {second}, and entry {second} the one of index {first}",
            )
        )

    def _look_closer(self, position: int, envelope: dict[str, Any], item: SourceEntry) -> None:
        """Keep the first entry whose bytes contradict what is known of it (see the
        module docstring); nothing is wrong with it unless a root says so."""
        subject, version = envelope["subject"], envelope["streamversion"]
        previous = self._versions.get(subject, 0)
        self._versions[subject] = version
        if self.suspect is not None:
            return
        if version != previous + 1:
            self.suspect = Failure(
                position,
                f"its streamversion {version} does not follow its stream's previous entry"
                f" ({previous or 'none'})",
            )
        elif item.columns is not None:
            said = (envelope["id"], subject, version, envelope["type"], envelope["audience"])
            if said != item.columns:
                self.suspect = Failure(
                    position,
                    "its bytes say otherwise than the database stores beside them (event id,"
                    " stream, version, type, audience)",
                )
