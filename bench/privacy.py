"""Benchmark: what sealing personal fields costs the write side.

One run enrols participants, with a name and a contact each, through `Coordination` on
two nodes side by side, in turns of a hundred: one as the node does (each personal field
sealed with AES-GCM under its person's key, the key looked up once per command, made for
every new person and written with their enrolment: decision 39), one with the same
commands and events on an application whose transcoder writes personal fields in clear
(the baseline: everything but the sealing). Every enrolment is a new person's, so every
one needs a new key: the worst case. Target (issue 21): sealing costs less than 15% of
the throughput.

Writes bench/results/privacy.json and prints a table. PostgreSQL, when
COORDINATION_TEST_DATABASE_URL is set, is measured as well as SQLite.

    python bench/privacy.py
    python infra/throwaway_postgres.py --durable -- python bench/privacy.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from common import fresh_url, row
from eventsourcing.persistence import JSONTranscoder, Transcoding

from coordination.application import Coordination
from coordination.bootstrap import bootstrap
from coordination.domain.context import Context
from coordination.domain.personal import Personal
from coordination.settings import Settings

RESULTS = Path(__file__).parent / "results" / "privacy.json"
ENROLMENTS = 10000
CHUNK = 100
WARM_UP = 100
PLACES = 1000
ORIGIN = "bench.example/coordination/log"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class PersonalInClear(Transcoding):
    """The baseline: personal fields written as they are (what sealing replaces)."""

    type = Personal
    name = "personal"

    def encode(self, obj: Personal) -> dict[str, str]:
        return {"subject": obj.subject_id.hex, "sealed": obj.value}

    def decode(self, data: dict[str, Any]) -> Any:
        return data


def in_clear(system_app: Coordination) -> None:
    """Make `system_app`'s transcoder write personal fields in clear."""
    transcoder = system_app.mapper.transcoder
    assert isinstance(transcoder, JSONTranscoder)
    transcoder.register(PersonalInClear())


class Node:
    """A node with a programme whose cohorts enrol new persons, sealing their personal
    fields or writing them in clear."""

    def __init__(self, url: str, data_dir: Path, *, sealed: bool) -> None:
        self.system = bootstrap(Settings(database_url=url, data_dir=data_dir, origin=ORIGIN))
        self.app = app = self.system.app
        if not sealed:
            in_clear(app)
        self.ctx = ctx = Context(actor="bench", origin=ORIGIN, occurred_at=NOW)
        partnership = app.establish_partnership(
            ctx,
            name="Bench",
            programme="ESF",
            region="Stockholm county",
            period_start=date(2026, 1, 1),
            period_end=date(2028, 12, 31),
        ).stream_id
        provider = app.admit_member(ctx, partnership, name="Provider", kind="association")
        assert provider.created_id is not None
        programme = app.launch_programme(
            ctx,
            partnership_id=partnership,
            kind="care_work_course",
            title="Care work",
            provider_id=provider.created_id,
            target_group="women of foreign origin",
            curriculum="Term 1",
            duration_months=24,
        ).created_id
        assert programme is not None
        self.programme = programme
        self.cohort: uuid.UUID | None = None
        self.places_left = self.enrolled = 0

    def enrol(self, count: int) -> float:
        """Seconds `count` new persons take to enrol, a name and a contact each."""
        if self.places_left < count:  # a cohort has at most 1000 places: the next one
            cohort = self.app.open_cohort(
                self.ctx,
                self.programme,
                title=f"Cohort {self.enrolled}",
                places=PLACES,
                starts_on=date(2026, 2, 1),
            ).created_id
            assert cohort is not None
            self.cohort, self.places_left = cohort, PLACES
        self.places_left -= count
        cohort = self.cohort
        assert cohort is not None
        started = time.perf_counter()
        for i in range(self.enrolled, self.enrolled + count):
            self.app.enrol(
                self.ctx,
                cohort,
                participant_id=uuid.uuid4(),
                name=f"Participant {i} Lindqvist-Haddad",
                contact=f"participant.{i}@example.org",
            )
        self.enrolled += count
        return time.perf_counter() - started


def measure(backend: str, server: str | None, tmp: Path) -> list[dict[str, Any]]:
    """Enrolments per second on both nodes, open side by side and enrolling in turns of
    `CHUNK`, each first in turn: a machine busy with something else slows both alike.
    Twice, half the enrolments each, each node made first once: on PostgreSQL the node
    made first ran some percent faster even when both wrote in clear."""
    spent = {"sealed": 0.0, "clear": 0.0}
    for made_first in ("sealed", "clear"):
        labels = [made_first, *(label for label in spent if label != made_first)]
        nodes = {
            label: Node(
                fresh_url(backend, server, tmp, f"{label}{made_first}"),
                tmp / f"{label}-{made_first}",
                sealed=label == "sealed",
            )
            for label in labels
        }
        try:
            for node in nodes.values():  # warm: caches, prepared statements, a key batch
                node.enrol(WARM_UP)
            for _ in range(ENROLMENTS // CHUNK // 2):
                for label in labels:
                    spent[label] += nodes[label].enrol(CHUNK)
                labels.reverse()
        finally:
            for node in nodes.values():
                node.system.close()
    timed = ENROLMENTS // CHUNK // 2 * CHUNK * 2
    value, baseline = (timed / spent[label] for label in ("sealed", "clear"))
    print(
        f"{backend}: sealed {value:.0f}/s, in clear {baseline:.0f}/s,"
        f" cost {100 * (1 - value / baseline):.1f}%",
        file=sys.stderr,
    )
    return [
        row(
            f"{backend}: enrolments per second, name and contact sealed",
            value,
            "commands/s",
            "the same enrolments, personal fields in clear",
            baseline,
            digits=1,
        )
    ]


def main() -> None:
    server = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results += measure("sqlite", None, Path(tmp))
        if server:
            results += measure("postgres", server, Path(tmp))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({"enrolments": ENROLMENTS, "chunk": CHUNK, "results": results}, indent=2) + "\n"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
