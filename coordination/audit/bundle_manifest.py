"""An export bundle's manifest, checked field by field.

Nothing signs the manifest, so none of it is taken on trust: each field is held to what
is signed (the checkpoint's origin, size and root), to what can be counted or hashed
again (the entries, the carried checkpoints, every file), or to what holds of any bundle
(it was made after its last entry was recorded, and not in the future). A field this
release does not define, or one missing, is reported too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ._encoding import b64encode
from .checkpoint import Checkpoint
from .export import (
    BUNDLE_FORMAT,
    CHECKPOINT,
    ENTRIES,
    FILES,
    FORMAT_WITHOUT_CHECKPOINTS,
    KEY,
    file_sha256,
)

#: Each format this release reads, with the files its manifest must hash.
FORMATS = {BUNDLE_FORMAT: FILES, FORMAT_WITHOUT_CHECKPOINTS: (ENTRIES, CHECKPOINT, KEY)}
FIELDS = ("format", "origin", "size", "root", "counts", "files", "created_at")
#: How far ahead of the verifier's clock a bundle's creation may lie (clocks differ).
CLOCK_SKEW = timedelta(days=1)


def manifest_problems(
    manifest: Any,
    directory: Path,
    checkpoint: Checkpoint,
    carried: int,
    last_recorded: datetime | None,
) -> list[str]:
    """What is wrong with ``manifest``, the parsed ``manifest.json`` of ``directory``.

    Args:
        manifest: The parsed manifest.
        directory: The bundle.
        checkpoint: The bundle's checkpoint, verified.
        carried: How many checkpoints ``checkpoints.jsonl`` holds.
        last_recorded: When the last entry was recorded (its ``recordedtime``).
    """
    if not isinstance(manifest, dict):
        return ["the manifest is not a JSON object"]
    found = [f"the manifest has no {name!r}" for name in FIELDS if name not in manifest]
    found += [
        f"the manifest has a field the bundle format does not define: {name!r}"
        for name in manifest
        if name not in FIELDS
    ]
    kind = manifest.get("format")
    if kind not in FORMATS:
        found.append(
            f"the manifest's format is {kind!r}, not one this release reads ({', '.join(FORMATS)})"
        )
    signed = {
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root": b64encode(checkpoint.root_hash),
    }
    found += _differences(manifest, signed)
    counts = {"entries": checkpoint.size}
    if kind != FORMAT_WITHOUT_CHECKPOINTS:
        counts["checkpoints"] = carried
    found += _counts(manifest.get("counts"), counts)
    found += _files(manifest.get("files"), directory, FORMATS.get(str(kind), FILES))
    found += _created(manifest.get("created_at"), last_recorded)
    return found


def _differences(manifest: dict[str, Any], signed: dict[str, Any]) -> list[str]:
    return [
        f"the manifest's {name} is {manifest[name]!r}, not the checkpoint's {value!r}"
        for name, value in signed.items()
        if name in manifest and manifest[name] != value
    ]


def _counts(counts: Any, expected: dict[str, int]) -> list[str]:
    if not isinstance(counts, dict):
        return [] if counts is None else ["the manifest's counts are not a JSON object"]
    found = [
        f"the manifest's counts has a count the bundle format does not define: {name!r}"
        for name in counts
        if name not in expected
    ]
    for name, value in expected.items():
        given = counts.get(name)
        if given != value:
            whose = "the checkpoint's" if name == "entries" else "the bundle's"
            found.append(f"the manifest's counts.{name} is {given!r}, not {whose} {value}")
    return found


def _files(files: Any, directory: Path, names: tuple[str, ...]) -> list[str]:
    if not isinstance(files, dict):
        return [] if files is None else ["the manifest's files are not a JSON object"]
    found = [
        f"the manifest lists a file the bundle format does not have: {name!r}"
        for name in files
        if name not in names
    ]
    for name in names:
        try:
            digest = file_sha256(directory / name)
        except OSError as exc:  # missing, or unreadable: a finding, not a crash
            found.append(f"{name} of the bundle cannot be read: {exc.strerror or exc}")
            continue
        if files.get(name) != digest:
            found.append(f"{name} does not have the SHA-256 the manifest gives")
    return found


def _created(created: Any, last_recorded: datetime | None) -> list[str]:
    if created is None:
        return []
    try:
        moment = datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return [f"the manifest's created_at {created!r} is not an RFC 3339 time with a zone"]
    if last_recorded is not None and moment < last_recorded:
        return [
            f"the manifest's created_at {created} is before its last entry was recorded"
            f" ({last_recorded.isoformat()})"
        ]
    if moment > datetime.now(UTC) + CLOCK_SKEW:
        return [f"the manifest's created_at {created} is in the future"]
    return []
