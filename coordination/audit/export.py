"""Export the log as a self-contained bundle that ``verify`` checks offline.

A bundle is a directory (pack it with ``tar czf`` to ship it):

- ``entries.jsonl``: one line per entry, ``{"entry": ..., "index": ..., "leaf_hash": ...}``
  in RFC 8785 form, where ``entry`` is the entry's bytes as a JSON string (entries are
  canonical JSON text, so the string's UTF-8 encoding is exactly the bytes that were
  hashed and signed, and the line stays readable) and ``leaf_hash`` is what the node
  stored, base64;
- ``checkpoint``: the signed checkpoint the bundle ends at, with the cosignatures the
  node gathered for it from its partners' witnesses as extra signature lines (§7), so
  ``verify BUNDLE --witness VKEY --quorum K`` needs nothing but the bundle;
- ``checkpoints.jsonl``: checkpoints the node signed along the way, one line each
  (``{"note": ..., "size": ...}``, cosigned like the last), the latest at or below every multiple of
  ``CHECKPOINT_SPACING`` entries and the final one: ``verify`` checks each, and a
  rewrite that kept every leaf hash in step with its entry is narrowed to the first of
  them whose root no longer matches;
- ``key``: the node's verifier key line (an auditor should compare it with the key the
  node published, or pass their own copy to ``verify``);
- ``manifest.json``: format, origin, size, root, counts (entries and checkpoints), the
  SHA-256 of every other file, and when the bundle was made. Nothing signs it: ``verify``
  checks every field against what is signed or can be recomputed.

A bundle of format 1 (before the carried checkpoints) has no ``checkpoints.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._encoding import b64encode
from .canonical import canonical_json
from .envelope import rfc3339

if TYPE_CHECKING:
    from .log import AuditLog
    from .storage import LogEntry, StoredCheckpoint

BUNDLE_FORMAT = "coordination-log-bundle/2"
FORMAT_WITHOUT_CHECKPOINTS = "coordination-log-bundle/1"
ENTRIES, CHECKPOINT, KEY, MANIFEST = "entries.jsonl", "checkpoint", "key", "manifest.json"
CHECKPOINTS = "checkpoints.jsonl"
#: Every file of a bundle but the manifest, each with its SHA-256 in the manifest.
FILES = (ENTRIES, CHECKPOINT, CHECKPOINTS, KEY)
EXPORT_CHUNK = 10_000
#: A bundle carries a checkpoint at or below every multiple of this many entries.
CHECKPOINT_SPACING = 10_000


class ExportError(RuntimeError):
    """The log cannot be exported; the message says why."""


def entry_line(index: int, leaf_hash: bytes, entry: bytes) -> bytes:
    """The ``entries.jsonl`` line of one entry, newline included."""
    try:
        text = entry.decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"entry {index} is not UTF-8 text: the stored log is corrupt") from None
    record = {"entry": text, "index": index, "leaf_hash": b64encode(leaf_hash)}
    return canonical_json(record) + b"\n"


def checkpoint_line(checkpoint: StoredCheckpoint, note: str | None = None) -> bytes:
    """The ``checkpoints.jsonl`` line of one signed checkpoint, newline included.

    Args:
        checkpoint: The checkpoint.
        note: Its note as carried (with cosignatures); its own note when not given.
    """
    carried = checkpoint.note if note is None else note
    return canonical_json({"note": carried, "size": checkpoint.size}) + b"\n"


def carried_checkpoints(
    at_or_below: Callable[[int], StoredCheckpoint | None],
    final: StoredCheckpoint,
    spacing: int = CHECKPOINT_SPACING,
) -> list[StoredCheckpoint]:
    """The checkpoints a bundle ending at ``final`` carries, by size: the latest signed at
    or below every multiple of ``spacing`` entries below it, and ``final``.

    Args:
        at_or_below: The node's largest checkpoint of at most so many entries.
        final: The checkpoint the bundle ends at.
        spacing: Entries between two multiples.
    """
    chosen = {final.size: final}
    for boundary in range(spacing, final.size, spacing):
        found = at_or_below(boundary)
        if found is not None and found.size > 0:
            chosen.setdefault(found.size, found)
    return [chosen[size] for size in sorted(chosen)]


def _in_order(entries: list[LogEntry], start: int, stop: int) -> list[LogEntry]:
    """``entries``, which must be those of indexes ``start`` to ``stop - 1``, all of them.

    Raises:
        ExportError: One is missing: the stored log has a hole (named).
    """
    for expected, entry in enumerate(entries, start):
        if entry.index != expected:
            raise _hole(expected, f"the next stored entry is {entry.index}")
    if len(entries) < stop - start:
        raise _hole(start + len(entries), f"the stored log ends before entry {stop - 1}")
    return entries


def _hole(index: int, detail: str) -> ExportError:
    return ExportError(
        f"entry {index} is missing from the stored log ({detail}): a log with a hole is"
        " not exported; `coordination verify` on the node says what else is wrong"
    )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_bundle(
    log: AuditLog,
    directory: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    spacing: int = CHECKPOINT_SPACING,
) -> dict[str, Any]:
    """Write the log, up to its latest checkpoint, as a bundle in ``directory``.

    The bundle is written beside ``directory`` and renamed into place, so a bundle that
    exists is complete.

    Args:
        log: The node's log.
        directory: Where the bundle goes; it must not exist yet.
        progress: Called with (entries written, entries in all) as the export goes.
        spacing: The bundle carries a checkpoint at or below every multiple of this many
            entries (``carried_checkpoints``).

    Returns:
        The manifest.

    Raises:
        ExportError: ``directory`` exists, the log has no checkpoint yet, an entry is
            missing (a hole, named) or corrupt beyond writing.
    """
    if directory.exists():
        raise ExportError(f"{directory} already exists; choose a new directory")
    checkpoint = log.latest_checkpoint()
    if checkpoint is None:
        raise ExportError("the log has no signed checkpoint yet: run the integrator first")
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        written = _write_entries(log, checkpoint.size, work / ENTRIES, progress)
        carried = carried_checkpoints(log.checkpoint_at_or_below, checkpoint, spacing)
        lines = [checkpoint_line(c, log.cosigned_note(c)) for c in carried]
        (work / CHECKPOINTS).write_bytes(b"".join(lines))
        (work / CHECKPOINT).write_text(log.cosigned_note(checkpoint), encoding="utf-8")
        (work / KEY).write_text(f"{log.verifier.vkey}\n", encoding="utf-8")
        manifest = {
            "format": BUNDLE_FORMAT,
            "origin": log.origin,
            "size": checkpoint.size,
            "root": b64encode(checkpoint.root),
            "counts": {"entries": written, "checkpoints": len(carried)},
            "files": {name: file_sha256(work / name) for name in FILES},
            "created_at": rfc3339(datetime.now(UTC)),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        work.rename(directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_entries(
    log: AuditLog, size: int, path: Path, progress: Callable[[int, int], None] | None
) -> int:
    """Write the entries below ``size`` to ``path``; how many (all: a hole raises)."""
    written = 0
    with path.open("wb") as out:
        for start in range(0, size, EXPORT_CHUNK):
            stop = min(start + EXPORT_CHUNK, size)
            for entry in _in_order(log.entries(start, stop), start, stop):
                out.write(entry_line(entry.index, entry.leaf_hash, entry.entry))
                written += 1
            if progress is not None:
                progress(stop, size)
        out.flush()
        os.fsync(out.fileno())
    return written
