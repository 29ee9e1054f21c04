"""An export bundle on disk as a log ``verify`` reads (``export.py`` says what it holds)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import orjson

from .bundle_manifest import manifest_problems
from .checkpoint import Checkpoint
from .export import CHECKPOINT, CHECKPOINTS, ENTRIES, KEY, MANIFEST
from .verify_sources import PAGE_SIZE, SourceEntry, SourceError, hash_or_none


class BundleSource:
    """An export bundle directory.

    Raises:
        SourceError: The directory holds no entries file: it is not a bundle.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = str(directory)
        if not (directory / ENTRIES).is_file():
            raise SourceError(f"{directory} is not a bundle: it has no {ENTRIES}")
        #: The size `pages` read up to (the signed checkpoint's), and the lines after it.
        self._size: int | None = None
        self._beyond = 0
        #: The lines of the carried checkpoints, and what is wrong with them.
        self._carried = 0
        self._carried_problems: list[str] = []

    def _read(self, name: str) -> str:
        try:
            return (self.directory / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read {name} of the bundle: {exc}") from exc

    def checkpoint_note(self) -> str:
        return self._read(CHECKPOINT)

    def own_key(self) -> str:
        return self._read(KEY).strip()

    def pages(self, size: int) -> Iterator[list[SourceEntry]]:
        page: list[SourceEntry] = []
        self._size, self._beyond = size, 0
        with (self.directory / ENTRIES).open("rb") as lines:
            for number, line in enumerate(lines):
                if number >= size:
                    # Not signed, so not checked as entries; but a bundle must not carry
                    # entries its checkpoint does not cover (`problems` says so).
                    self._beyond += 1
                    continue
                page.append(self._entry(line, number))
                if len(page) == PAGE_SIZE:
                    yield page
                    page = []
        if page:
            yield page

    @staticmethod
    def _entry(line: bytes, number: int) -> SourceEntry:
        try:
            record = orjson.loads(line)
            index, entry = record["index"], record["entry"].encode("utf-8")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return SourceEntry(number, None, None, problem=f"line {number + 1} is malformed: {exc}")
        if not isinstance(index, int):
            return SourceEntry(number, None, None, problem=f"line {number + 1} has no index")
        leaf = hash_or_none(record.get("leaf_hash"))
        problem = None if leaf is not None else "the leaf hash is not base64"
        return SourceEntry(index, leaf, entry, problem=problem)

    def consistency_proof(self, first: int, second: int) -> list[bytes] | None:
        del first, second  # a bundle carries no proofs: the verifier recomputes instead
        return None

    def inclusion_proof(self, index: int, size: int) -> list[bytes] | None:
        del index, size
        return None

    def checkpoints(self) -> list[tuple[int, str]]:
        self._carried, self._carried_problems = 0, []
        try:
            lines = (self.directory / CHECKPOINTS).read_bytes().splitlines()
        except FileNotFoundError:
            return []  # a bundle of the first format; the manifest's check says if it must
        except OSError as exc:
            self._carried_problems.append(f"{CHECKPOINTS} cannot be read: {exc.strerror}")
            return []
        notes: list[tuple[int, str]] = []
        for number, line in enumerate(lines, start=1):
            self._carried += 1
            try:
                record = orjson.loads(line)
                note, size = record["note"], record["size"]
            except (ValueError, KeyError, TypeError) as exc:
                self._carried_problems.append(f"{CHECKPOINTS} line {number} is malformed: {exc}")
                continue
            if not isinstance(note, str) or not isinstance(size, int):
                self._carried_problems.append(
                    f"{CHECKPOINTS} line {number} is malformed: its note is not text or its"
                    " size not a number"
                )
                continue
            notes.append((size, note))
        return notes

    def problems(self, checkpoint: Checkpoint, last_recorded: datetime | None) -> list[str]:
        found = list(self._carried_problems)
        if self._beyond:
            found.append(
                f"{ENTRIES} has {self._beyond} line(s) after the {self._size} entries the"
                " checkpoint signs: nothing vouches for them"
            )
        try:
            manifest = orjson.loads(self._read(MANIFEST))
        except (SourceError, ValueError) as exc:
            return [*found, f"the manifest cannot be read: {exc}"]
        return found + manifest_problems(
            manifest, self.directory, checkpoint, self._carried, last_recorded
        )
