"""Verify a log without trusting the node: signature, every entry, the root, history.

``verify_log`` checks, against a node (``NodeSource``) or an export bundle
(``BundleSource``): the checkpoint's signature with the given verifier key (or, with a
warning, the source's own); that indexes run 0, 1, 2, ... without holes; that each
entry's bytes hash to its leaf hash and parse as an envelope whose ``sequence`` is its
index; that the leaf hashes give the checkpoint's root; and, given an earlier checkpoint,
that the log extends it (recomputed from the entries, and through the node's consistency
proof). Against a node it also checks a sample of the node's proofs, which exercises its
stored tree. When the root differs, the node's consistency proofs find the first entry
that disagrees with the signed tree by bisection.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import orjson

from .checkpoint import Checkpoint, CheckpointError, open_checkpoint
from .envelope import EnvelopeError, check_envelope
from .merkle import EMPTY_ROOT, leaf_hash
from .note import NoteError, Verifier
from .verify_report import Failure, VerifyReport
from .verify_sources import LogSource, SourceEntry, SourceError
from .verify_tree import Frontier, check_earlier, check_proofs, localize, proof_sizes

__all__ = ["Failure", "VerifyReport", "verify_log"]


def _check_entry(item: SourceEntry, expected: int, origin: str) -> bytes | Failure:
    """The entry's leaf hash, or what is wrong with it."""
    if item.problem is not None:
        return Failure(expected, item.problem)
    if item.index != expected:
        if item.index > expected:
            return Failure(expected, f"missing: the next entry given has index {item.index}")
        return Failure(expected, f"index {item.index} given again or out of order")
    if item.entry is None:
        assert item.leaf_hash is not None
        return item.leaf_hash
    leaf = leaf_hash(item.entry)
    if item.leaf_hash is not None and item.leaf_hash != leaf:
        return Failure(expected, "its bytes do not hash to its leaf hash: the entry was altered")
    try:
        envelope = item.envelope if item.envelope is not None else orjson.loads(item.entry)
        check_envelope(envelope, expected)
    except (ValueError, EnvelopeError) as exc:
        return Failure(expected, f"not a valid envelope: {exc}")
    if envelope["source"] != origin:
        return Failure(expected, f"its source is {envelope['source']!r}, not the log's origin")
    return leaf


def verify_log(
    source: LogSource,
    *,
    key: Verifier | None = None,
    earlier: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    sample: int = 16,
    seed: int | None = None,
) -> VerifyReport:
    """Verify a log; never raises for what it finds, reports it.

    Args:
        source: The node or bundle.
        key: The verifier key to trust; the source's own key when None (reported).
        earlier: An earlier signed checkpoint of the same log, to check the log extends it.
        progress: Called with (entries checked, entries in all) after each page.
        sample: How many random inclusion proofs to check against a node.
        seed: Seed of that sample (tests); random when None.
    """
    started = time.perf_counter()
    report = VerifyReport(source=source.description)
    try:
        _verify(source, report, key, earlier, progress, sample, seed)
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

    size = checkpoint.size
    wanted = proof_sizes(size, earlier)
    prefix_roots = {0: EMPTY_ROOT}
    frontier, leaves, expected = Frontier(), bytearray(), 0
    for page in source.pages(size):
        for item in page:
            result = _check_entry(item, expected, checkpoint.origin)
            if isinstance(result, Failure):
                fail(result)
                report.entries_checked = expected
                return
            report.hidden += item.entry is None
            frontier.add(result)
            leaves += result
            expected += 1
            if expected in wanted:
                prefix_roots[expected] = frontier.root()
        if progress is not None:
            progress(expected, size)
    report.entries_checked = expected
    if expected < size:
        fail(Failure(expected, f"missing: the log ends after {expected} of {size} entries"))
        return
    if frontier.root() != checkpoint.root_hash:
        fail(localize(source, leaves, checkpoint))
        return
    if earlier is not None:
        check_earlier(source, report, checkpoint, earlier, prefix_roots[earlier.size])
    check_proofs(source, report, checkpoint, leaves, prefix_roots, sample, seed)
    report.failures.extend(Failure(None, problem) for problem in source.problems())
