"""Benchmark: what sealing personal fields costs the write side.

One run enrols participants, with a name and a contact each, through `Coordination`
twice over, alternating: once as the node does (each personal field sealed with AES-GCM
under its person's key, the key looked up, and made, in the key store), and once with
the same commands and events on an application whose transcoder writes personal fields
in clear (the baseline: everything but the sealing). Target (issue 21): sealing costs
less than 15% of the throughput.

Writes bench/results/privacy.json and prints a table. PostgreSQL, when
COORDINATION_TEST_DATABASE_URL is set, is measured as well as SQLite.

    python bench/privacy.py
    python infra/throwaway_postgres.py --durable -- python bench/privacy.py
"""

from __future__ import annotations

import json
import os
import statistics
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
ENROLMENTS = 1000
ROUNDS = 3
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


def enrolments_per_second(url: str, data_dir: Path, *, sealed: bool) -> float:
    settings = Settings(database_url=url, data_dir=data_dir, origin=ORIGIN)
    system = bootstrap(settings)
    try:
        app = system.app
        if not sealed:
            in_clear(app)
        ctx = Context(actor="bench", origin=ORIGIN, occurred_at=NOW)
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
        cohort = app.open_cohort(
            ctx, programme, title="Cohort", places=ENROLMENTS, starts_on=date(2026, 2, 1)
        ).created_id
        assert cohort is not None
        started = time.perf_counter()
        for i in range(ENROLMENTS):
            app.enrol(
                ctx,
                cohort,
                participant_id=uuid.uuid4(),
                name=f"Participant {i} Lindqvist-Haddad",
                contact=f"participant.{i}@example.org",
            )
        return ENROLMENTS / (time.perf_counter() - started)
    finally:
        system.close()


def measure(backend: str, server: str | None, tmp: Path) -> list[dict[str, Any]]:
    sealed: list[float] = []
    clear: list[float] = []
    for round_ in range(ROUNDS):  # alternated, so drift on the machine hits both alike
        for label, into in (("sealed", sealed), ("clear", clear)):
            name = f"{label}{round_}"
            into.append(
                enrolments_per_second(
                    fresh_url(backend, server, tmp, name), tmp / name, sealed=label == "sealed"
                )
            )
    value, baseline = statistics.median(sealed), statistics.median(clear)
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
        json.dumps({"enrolments": ENROLMENTS, "rounds": ROUNDS, "results": results}, indent=2)
        + "\n"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
