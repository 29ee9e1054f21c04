"""Export the log as a self-contained bundle that ``verify`` checks offline.

A bundle is a directory (pack it with ``tar czf`` to ship it):

- ``entries.jsonl``: one line per entry, ``{"entry": ..., "index": ..., "leaf_hash": ...}``
  in RFC 8785 form, where ``entry`` is the entry's bytes as a JSON string (entries are
  canonical JSON text, so the string's UTF-8 encoding is exactly the bytes that were
  hashed and signed, and the line stays readable) and ``leaf_hash`` is what the node
  stored, base64;
- ``checkpoint``: the signed checkpoint the bundle ends at;
- ``key``: the node's verifier key line (an auditor should compare it with the key the
  node published, or pass their own copy to ``verify``);
- ``manifest.json``: format, origin, size, root, counts, the SHA-256 of every other file,
  and when the bundle was made.
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
from typing import Any

from ._encoding import b64encode
from .canonical import canonical_json
from .envelope import rfc3339
from .log import AuditLog

BUNDLE_FORMAT = "coordination-log-bundle/1"
ENTRIES, CHECKPOINT, KEY, MANIFEST = "entries.jsonl", "checkpoint", "key", "manifest.json"
EXPORT_CHUNK = 10_000


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


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_bundle(
    log: AuditLog, directory: Path, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Write the log, up to its latest checkpoint, as a bundle in ``directory``.

    The bundle is written beside ``directory`` and renamed into place, so a bundle that
    exists is complete.

    Args:
        log: The node's log.
        directory: Where the bundle goes; it must not exist yet.
        progress: Called with (entries written, entries in all) as the export goes.

    Returns:
        The manifest.

    Raises:
        ExportError: ``directory`` exists, the log has no checkpoint yet, or an entry is
            corrupt beyond writing.
    """
    if directory.exists():
        raise ExportError(f"{directory} already exists; choose a new directory")
    checkpoint = log.latest_checkpoint()
    if checkpoint is None:
        raise ExportError("the log has no signed checkpoint yet: run the integrator first")
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        written = 0
        with (work / ENTRIES).open("wb") as out:
            for start in range(0, checkpoint.size, EXPORT_CHUNK):
                stop = min(start + EXPORT_CHUNK, checkpoint.size)
                for entry in log.entries(start, stop):
                    out.write(entry_line(entry.index, entry.leaf_hash, entry.entry))
                    written += 1
                if progress is not None:
                    progress(stop, checkpoint.size)
            out.flush()
            os.fsync(out.fileno())
        (work / CHECKPOINT).write_text(checkpoint.note, encoding="utf-8")
        (work / KEY).write_text(f"{log.verifier.vkey}\n", encoding="utf-8")
        manifest = {
            "format": BUNDLE_FORMAT,
            "origin": log.origin,
            "size": checkpoint.size,
            "root": b64encode(checkpoint.root),
            "counts": {"entries": written},
            "files": {name: file_sha256(work / name) for name in (ENTRIES, CHECKPOINT, KEY)},
            "created_at": rfc3339(datetime.now(UTC)),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        work.rename(directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest
