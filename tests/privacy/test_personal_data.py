"""Personal data end to end, on SQLite and PostgreSQL: known names and contacts are written,
then every place the node writes bytes is scanned for them; a person is forgotten, and
every view of them, the access export, `verify` and `check-replay` behave as issue 21 says.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from uuid import UUID

import httpx
import psycopg
import pytest
import typer
from typer.testing import CliRunner

from coordination.bootstrap import System
from coordination.cli import privacy as privacy_cli
from coordination.cli import views as views_cli
from coordination.cli.audit import register_audit_commands
from coordination.domain.errors import DomainError
from coordination.privacy.access import subject_record
from coordination.settings import Settings
from tests.application.conftest import World, secretariat
from tests.application.support_programmes import (
    FEEDBACK,
    NAMES,
    enrol,
    launch,
    open_cohort,
)
from tests.audit.support import LogNode, serve

#: ASCII parts of the known personal data, found whatever a writer escapes around them.
NEEDLES = [
    "Haddad",
    "Karimova",
    "Quispe",
    "amina.haddad",
    "555 01 23",
    "rosa.quispe",
    "Swedish for the workplace",
]


def cli_app(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """coordination (test)"""

    def settings_for(_: str | None) -> Settings:
        return settings

    register_audit_commands(app, settings_for)

    @app.command("check-replay")
    def check_replay() -> None:
        views_cli.check_replay(settings)

    @app.command("rebuild")
    def rebuild() -> None:
        views_cli.rebuild(settings, None)

    privacy_cli.register_privacy_commands(app, settings_for)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def stored_bytes(system: System, data_dir: Path) -> bytes:
    """Every byte the node's database holds (and, on SQLite, its files), keys excepted."""
    target = system.target
    if target.sqlite_path is not None:
        files = list(target.sqlite_path.parent.glob(target.sqlite_path.name + "*"))
        return b"".join(p.read_bytes() for p in files)
    chunks: list[bytes] = []
    with psycopg.connect(
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
        dbname=target.dbname,
        autocommit=True,
    ) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name <> 'subject_keys'",
            (target.schema,),
        ).fetchall()
        assert len(tables) > 3
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM {target.schema}."{table}"').fetchall():
                for value in row:
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


def leaks(blob: bytes | str) -> list[str]:
    data = blob.encode() if isinstance(blob, str) else blob
    return [needle for needle in NEEDLES if needle.encode() in data]


def key_bytes(system: System, person: UUID) -> bytes:
    key = system.app.subject_keys.keys_of([person]).get(person)
    assert key is not None
    return key


@pytest.fixture
def cohort(world: World) -> tuple[UUID, list[UUID]]:
    """A cohort of three with known names and contacts; the second asked for a change."""
    cohort_id = open_cohort(world, launch(world))
    people = [enrol(world, cohort_id, index) for index in range(3)]
    world.app.give_feedback(
        secretariat(), cohort_id, participant_id=people[1], kind="request", text=FEEDBACK
    )
    return cohort_id, people


def test_no_personal_datum_is_written_in_clear_anywhere(
    world: World,
    cohort: tuple[UUID, list[UUID]],
    system: System,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, people = cohort
    # A refusal that had the data in hand: a full cohort, a name that is too long.
    refusals = []
    for arguments in ({"places": 1}, {}):
        target = open_cohort(world, launch(world, title=f"Course {len(refusals)}"), **arguments)
        if arguments:
            enrol(world, target, 0)
        with pytest.raises(DomainError) as refused:
            enrol(world, target, 2, name=NAMES[2] * (1 if arguments else 50))
        refusals.append(refused.value.message)
    cli = cli_app(settings)
    assert run(cli, "keys", "init")[0] == 0
    outputs = [run(cli, "integrate"), run(cli, "rebuild")]
    bundle = tmp_path / "bundle"
    outputs.append(run(cli, "export", str(bundle)))
    assert all(code == 0 for code, _ in outputs), outputs

    node = LogNode(system)
    try:
        with serve(node.app) as base:
            page = httpx.get(
                f"{base}/federation/v1/entries", params={"start": 0, "limit": 1000}, timeout=30
            )
    finally:
        node.close()
    assert page.status_code == 200
    assert '"ciphertext"' in page.text  # the feed carries the enrolments, sealed

    assert leaks(stored_bytes(system, settings.data_dir)) == []
    assert leaks(page.content) == []
    assert leaks(b"".join(p.read_bytes() for p in bundle.rglob("*") if p.is_file())) == []
    assert leaks(" ".join(output for _, output in outputs)) == []
    assert leaks(caplog.text) == []
    assert leaks(" ".join(refusals)) == []
    # The key holder opens them: the access export of a participant has their data.
    record = subject_record(system.app, system.app.subject_keys, people[1])
    assert NAMES[1] in json.dumps(record, ensure_ascii=False)
    assert FEEDBACK in json.dumps(record, ensure_ascii=False)
    assert NAMES[0] not in json.dumps(record, ensure_ascii=False)


def test_after_erasure_nothing_is_readable_and_the_log_still_verifies(
    world: World,
    cohort: tuple[UUID, list[UUID]],
    system: System,
    settings: Settings,
    tmp_path: Path,
) -> None:
    _, people = cohort
    cli = cli_app(settings)
    assert run(cli, "keys", "init")[0] == 0
    assert run(cli, "integrate")[0] == 0
    assert run(cli, "rebuild")[0] == 0
    before = run(cli, "export", str(tmp_path / "before"))
    assert before[0] == 0, before
    entries_before = (tmp_path / "before" / "entries.jsonl").read_bytes()
    key = key_bytes(system, people[1])

    code, output = run(cli, "privacy", "erase", str(people[1]), "--ground", "request")
    assert code == 0, output
    assert f"erased person {people[1]}" in " ".join(output.split())
    code, output = run(cli, "privacy", "erase", str(people[1]))
    assert code == 1
    assert "has already been erased" in " ".join(output.split())

    assert run(cli, "integrate")[0] == 0
    assert run(cli, "export", str(tmp_path / "after"))[0] == 0
    entries_after = (tmp_path / "after" / "entries.jsonl").read_bytes()
    # Erasing a key changed no byte of the log: it only grew by SubjectErased.
    assert entries_after.startswith(entries_before)
    assert b"coordination.data_subject.erased" in entries_after[len(entries_before) :]
    code, output = run(cli, "verify", str(tmp_path / "after"))
    assert code == 0, output
    code, output = run(cli, "check-replay")
    assert code == 0, output

    out = tmp_path / "access.json"
    code, output = run(cli, "privacy", "export", str(people[1]), "--out", str(out))
    assert code == 0, output
    record = json.loads(out.read_text())
    assert record["key"] == "erased"
    assert {"participant_enrolled", "feedback_given"} <= {
        event["type"].rsplit(".", 1)[-1] for event in record["events"]
    }
    assert leaks(out.read_text()) == []
    assert '"erased": true' in out.read_text()
    # The others are still readable.
    kept = subject_record(system.app, system.app.subject_keys, people[0])
    assert NAMES[0] in json.dumps(kept, ensure_ascii=False)
    if system.target.sqlite_path is not None:
        keys_file = settings.data_dir / "keys" / "subject-keys.db"
        held = b"".join(p.read_bytes() for p in keys_file.parent.glob("subject-keys.db*"))
        assert key not in held  # written over, not only unlinked
