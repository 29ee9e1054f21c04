"""Verify a log without trusting the node: signature, every entry, the root, history.

``verify_log`` checks, against a node (``NodeSource``), an export bundle
(``BundleSource``) or the node's own database (``StorageSource``): the checkpoint's
signature with the given verifier key (or, with a warning, the source's own); that
indexes run 0, 1, 2, ... without holes (two entries swapped are named as such); that
each entry's bytes hash to its leaf hash and parse as an envelope whose ``sequence`` is
its index; that the leaf hashes give the checkpoint's root, and the root of every
smaller checkpoint the source carries; and, given an earlier checkpoint, that the log
extends it (recomputed from the entries, and through the node's consistency proof).
Against a node it also checks a sample of the node's proofs, which exercises its stored
tree. When a root differs, the rewrite lies after the last carried checkpoint that
matched: the entry is named when its bytes give it away (``verify_scan``), else found
by bisection over the source's consistency proofs, else the range is named.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from ._encoding import b64encode
from .checkpoint import Checkpoint, CheckpointError, open_checkpoint
from .merkle import EMPTY_ROOT
from .note import NoteError, Verifier
from .verify_report import Failure, VerifyReport
from .verify_scan import EntryScan, OnEntry
from .verify_sources import LogSource, SourceError
from .verify_tree import check_earlier, check_proofs, localize, proof_sizes

__all__ = ["Failure", "VerifyReport", "verify_log"]


def verify_log(
    source: LogSource,
    *,
    key: Verifier | None = None,
    earlier: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    sample: int = 16,
    seed: int | None = None,
    on_entry: OnEntry | None = None,
) -> VerifyReport:
    """Verify a log; never raises for what it finds, reports it.

    Args:
        source: The node or bundle.
        key: The verifier key to trust; the source's own key when None (reported).
        earlier: An earlier signed checkpoint of the same log, to check the log extends it.
        progress: Called with (entries checked, entries in all) after each page.
        sample: How many random inclusion proofs to check against a node.
        seed: Seed of that sample (tests); random when None.
        on_entry: Told of each entry's index and envelope as it is checked (before the
            root is: what it is told is verified only if the report is ``ok``).
    """
    started = time.perf_counter()
    report = VerifyReport(source=source.description)
    try:
        _verify(source, report, key, earlier, progress, sample, seed, on_entry)
    except SourceError as exc:
        report.failures.append(Failure(None, str(exc)))
    report.seconds = time.perf_counter() - started
    return report


def _verify(
    source: LogSource,
    report: VerifyReport,
    key: Verifier | None,
    earlier_note: str | None,
    progress: Callable[[int, int], None] | None,
    sample: int,
    seed: int | None,
    on_entry: OnEntry | None,
) -> None:
    fail = report.failures.append
    if key is None:
        report.key_from_source = True
        try:
            key = Verifier.from_vkey(source.own_key())
        except NoteError as exc:
            fail(Failure(None, f"the source's key is not a verifier key: {exc}"))
            return
    try:
        checkpoint = open_checkpoint(source.checkpoint_note(), key)
    except (NoteError, CheckpointError) as exc:
        fail(Failure(None, f"the checkpoint does not verify with {key.vkey}: {exc}"))
        return
    report.origin, report.size, report.root = (
        checkpoint.origin,
        checkpoint.size,
        checkpoint.root_hash,
    )
    earlier: Checkpoint | None = None
    if earlier_note is not None:
        try:
            earlier = open_checkpoint(earlier_note, key, origin=checkpoint.origin)
            report.earlier_size = earlier.size
        except (NoteError, CheckpointError) as exc:
            fail(Failure(None, f"the earlier checkpoint does not verify: {exc}"))
        if earlier is not None and earlier.size > checkpoint.size:
            fail(
                Failure(
                    None,
                    f"the earlier checkpoint has {earlier.size} entries, the log"
                    f" only {checkpoint.size}: the log lost entries",
                )
            )
            earlier = None

    carried = _carried(source, key, checkpoint, report)
    size = checkpoint.size
    if size == 0 and checkpoint.root_hash != EMPTY_ROOT:
        fail(Failure(None, "the checkpoint of the empty log does not have the empty tree's root"))
        return
    scan = EntryScan(
        origin=checkpoint.origin,
        size=size,
        carried=[*carried, checkpoint],
        wanted=proof_sizes(size, earlier),
        on_entry=on_entry,
    )
    for page in source.pages(size):
        if not all(map(scan.feed, page)):
            break
        if progress is not None:
            progress(scan.checked, size)
    scan.finish()
    report.entries_checked, report.hidden = scan.checked, scan.hidden
    report.leaves = scan.leaves
    if scan.failure is not None:
        fail(scan.failure)
        return
    if scan.broken is not None:
        fail(_narrowed(source, scan, scan.broken))
        return
    if scan.checked < size:
        fail(Failure(scan.checked, f"missing: the log ends after {scan.checked} of {size} entries"))
        return
    if earlier is not None:
        check_earlier(source, report, checkpoint, earlier, scan.prefix_roots[earlier.size])
    check_proofs(source, report, checkpoint, scan.leaves, scan.prefix_roots, sample, seed)
    last = scan.last_envelope
    recorded = datetime.fromisoformat(last["recordedtime"]) if last is not None else None
    report.failures.extend(Failure(None, p) for p in source.problems(checkpoint, recorded))


def _carried(
    source: LogSource, key: Verifier, checkpoint: Checkpoint, report: VerifyReport
) -> list[Checkpoint]:
    """The smaller checkpoints the source carries that verify, by size; a failure for
    each that does not (and for one of the signed size with another root: a fork)."""
    found: dict[int, Checkpoint] = {}
    for claimed, note in source.checkpoints():
        problem: str | None
        try:
            carried = open_checkpoint(note, key, origin=checkpoint.origin)
        except (NoteError, CheckpointError) as exc:
            problem = f"the carried checkpoint of size {claimed} does not verify: {exc}"
        else:
            problem = _misfit(carried, claimed, checkpoint)
            if problem is None and carried.size < checkpoint.size:
                found[carried.size] = carried
        if problem is not None:
            report.failures.append(Failure(None, problem))
    report.carried = len(found)
    return [found[size] for size in sorted(found)]


def _misfit(carried: Checkpoint, claimed: int, checkpoint: Checkpoint) -> str | None:
    if carried.size != claimed:
        return f"the carried checkpoint given as of size {claimed} is of size {carried.size}"
    if carried.size > checkpoint.size:
        return (
            f"the carried checkpoint of size {carried.size} is beyond the log's"
            f" {checkpoint.size} entries"
        )
    if carried.size == checkpoint.size and carried.root_hash != checkpoint.root_hash:
        return (
            f"the carried checkpoint of size {carried.size} has the root"
            f" {b64encode(carried.root_hash)}, the log's checkpoint of that size"
            f" {b64encode(checkpoint.root_hash)}: two trees of one size were signed"
        )
    return None


def _narrowed(source: LogSource, scan: EntryScan, broken: Checkpoint) -> Failure:
    """Where a rewrite lies that kept every leaf hash in step with its entry: after the
    last carried checkpoint that matched, up to ``broken``, the first that does not."""
    good = scan.good
    since = f" (the first {good} give the carried checkpoint of size {good})" if good else ""
    roots = (
        f"the first {broken.size} entries do not give the root of the signed checkpoint"
        f" of size {broken.size}{since}"
    )
    if scan.suspect is not None:
        return Failure(
            scan.suspect.index,
            f"{scan.suspect.message}; {roots}: it was rewritten, its leaf hash with it",
        )
    located = localize(source, scan.leaves, broken, start=good)
    if located is not None:
        return located
    return Failure(
        None,
        f"entries {good} to {broken.size - 1}: {roots}; one of them was rewritten, its leaf"
        " hash with it",
    )
