"""``coordination replay --as-of``: the views rebuilt from the log up to a cut-off."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coordination.audit.integrator import Integrator
from coordination.audit.replay import AsOf, ReplayError, parse_as_of, recorded_at
from coordination.audit.storage import LogEntry, open_storage
from coordination.bootstrap import System
from coordination.bootstrap.node import start_projections
from coordination.bootstrap.replay import replay
from coordination.cli.replay import register_replay_command
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries.decisions import get_decision
from coordination.projections.tables import POSITION
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings
from coordination_demo import DemoSummary, load_demo
from tests.audit.support import ORIGIN, node_signer

ADOPTED = "coordination.decision.decision_adopted"
KEY = node_signer().verifier


def _entries(system: System) -> list[LogEntry]:
    storage = open_storage(system.target, system.app)
    try:
        return storage.entries(0, storage.position().size)
    finally:
        storage.close()


def _first_adoption(system: System, demo: DemoSummary) -> LogEntry:
    first = str(demo.ids["decision:1"])
    return next(e for e in _entries(system) if e.stream_id == first and e.type.startswith(ADOPTED))


async def _counts(db: ReadDatabase) -> dict[str, int]:
    return {
        table.view_name: int(await db.fetchval(f"SELECT COUNT(*) FROM {table.view_name}"))
        for view in ALL_VIEWS
        for table in view.tables
    }


async def _rows(db: ReadDatabase) -> dict[str, list[dict[str, object]]]:
    """Every view table's rows in key order, then its keys in log order where it has one.

    Positions themselves are left out: the replay numbers the copied events afresh, so
    they match the node's only when its notification ids have no gaps.
    """
    rows: dict[str, list[dict[str, object]]] = {}
    for view in ALL_VIEWS:
        for table in view.tables:
            found = await db.fetch(
                f"SELECT * FROM {table.view_name} ORDER BY {', '.join(table.key)}"
            )
            kept = [c for c, kind in table.columns.items() if kind != POSITION]
            rows[table.view_name] = [{c: str(r[c]) for c in kept} for r in found]
            for column in (c for c, kind in table.columns.items() if kind == POSITION):
                by_position = sorted(found, key=lambda r, c=column: (r[c] is None, r[c]))  # type: ignore[misc]
                rows[f"{table.view_name} by {column}"] = [
                    {k: str(r[k]) for k in table.key} for r in by_position
                ]
    return rows


async def test_replay_shows_the_first_decision_in_force_before_it_was_superseded(
    system: System, tmp_path: Path
) -> None:
    demo = load_demo(system.app, origin=ORIGIN)
    first, second = demo.ids["decision:1"], demo.ids["decision:2"]
    # Not integrated yet: the replay integrates first, with the node's key.
    replayed, target, views = await replay(
        system, AsOf(index=0), tmp_path / "start.db", verifier=KEY, signer=node_signer()
    )
    await views.stop()
    target.close()
    assert replayed.log_size == demo.events
    assert replayed.events == 1

    cut = _first_adoption(system, demo)
    replayed, target, views = await replay(
        system, AsOf(index=cut.index), tmp_path / "mid.db", verifier=KEY
    )
    try:
        assert (replayed.cut_off.index, replayed.cut_off.notification_id) == (
            cut.index,
            cut.notification_id,
        )
        assert replayed.cut_off.recorded_at == recorded_at(cut)
        copied = system.app.recorder.select_notifications(
            start=1, limit=10_000, stop=cut.notification_id
        )
        assert replayed.events == len(copied) == cut.index + 1
        # The copy keeps the source's events, in notification order.
        replica = target.app.recorder.select_notifications(start=1, limit=10_000)
        assert [(n.originator_id, n.originator_version) for n in replica] == [
            (n.originator_id, n.originator_version) for n in copied
        ]
        decision = await get_decision(views.db, first)
        assert decision is not None
        assert (decision.status, decision.in_force) == ("adopted", True)
        assert await get_decision(views.db, second) is None
        # Row by row, the replay is what the node's views held when they reached the cut.
        then = await start_projections(system, start=False)
        try:
            await then.runner.catch_up(stop=cut.notification_id)
            assert await _rows(views.db) == await _rows(then.db)
        finally:
            await then.stop()
    finally:
        await views.stop()
        target.close()

    head = replayed.log_size - 1
    replayed, target, views = await replay(
        system, AsOf(index=head), tmp_path / "head.db", verifier=KEY
    )
    live = await start_projections(system, start=False)
    try:
        superseded = await get_decision(views.db, first)
        assert superseded is not None
        assert (superseded.status, superseded.in_force) == ("superseded", False)
        adopted = await get_decision(views.db, second)
        assert adopted is not None
        assert adopted.in_force
        # At the head, the replay holds what the node's own views hold.
        await live.runner.catch_up()
        assert await _counts(views.db) == await _counts(live.db)
    finally:
        await live.stop()
        await views.stop()
        target.close()


@pytest.fixture
def cli(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """coordination (test)"""

    def settings_for(database_url: str | None) -> Settings:
        return settings.model_copy(update={"database_url": database_url or settings.database_url})

    register_replay_command(app, settings_for)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    """The exit code and the output, wide enough not to wrap, without the tables' lines."""
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "300"})
    return result.exit_code, " ".join(re.sub("[\u2500-\u257f]", " ", result.output).split())


def test_replay_as_of_a_date_or_a_time_from_the_command_line(
    cli: typer.Typer, system: System, tmp_path: Path
) -> None:
    demo = load_demo(system.app, origin=ORIGIN)
    Integrator(
        system.app,
        open_storage(system.target, system.app),
        node_signer(),
        origin=system.settings.origin,
    ).run_once()
    cut = _first_adoption(system, demo)
    moment = recorded_at(cut)

    code, output = run(cli, "replay", "--as-of", moment.isoformat(), "--key", KEY.vkey)
    assert code == 0, output
    # The largest index recorded at or before the moment: the cut, or a later event
    # recorded within the same microsecond.
    picked = int(output.split("log index ")[1].split()[0])
    entries = _entries(system)
    assert picked >= cut.index
    assert recorded_at(entries[picked]) <= moment
    assert all(recorded_at(e) > moment for e in entries[picked + 1 :])
    assert "Recommend social clauses in municipal tenders adopted yes" in output

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    kept = tmp_path / "kept.db"
    code, output = run(cli, "replay", "--as-of", tomorrow, "--into", str(kept), "--key", KEY.vkey)
    assert code == 0, output
    assert f"log index {demo.events - 1} (the log has {demo.events} entries)" in output
    assert f"recorded at or before {tomorrow}T23:59:59.999999+00:00" in output
    assert "superseded no" in output
    assert kept.is_file()
    code, output = run(cli, "replay", "--as-of", tomorrow, "--into", str(kept), "--key", KEY.vkey)
    assert code == 2
    assert "already exists" in output

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    code, output = run(cli, "replay", "--as-of", yesterday, "--key", KEY.vkey)
    assert code == 2
    assert "no event of the log was recorded at or before" in output


def test_an_index_beyond_the_log_is_refused(cli: typer.Typer, system: System) -> None:
    demo = load_demo(system.app, origin=ORIGIN)
    Integrator(
        system.app,
        open_storage(system.target, system.app),
        node_signer(),
        origin=system.settings.origin,
    ).run_once()
    code, output = run(cli, "replay", "--as-of", str(demo.events), "--key", KEY.vkey)
    assert code == 2
    assert f"log index {demo.events} is beyond the log, which has {demo.events} entries" in output


def test_a_replay_of_no_store_says_so_and_creates_nothing(cli: typer.Typer, tmp_path: Path) -> None:
    # It used to create an event store there and replay its empty log.
    database = tmp_path / "nowhere" / "node.db"
    code, output = run(cli, "replay", "--as-of", "0", "--database-url", f"sqlite:///{database}")
    assert code == 2, output
    assert f"there is no event store at sqlite:{database} (no such file)" in output
    assert not database.parent.exists()


def test_as_of_parsing() -> None:
    assert parse_as_of("42") == AsOf(index=42)
    assert parse_as_of("2026-03-02") == AsOf(
        moment=datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=UTC)
    )
    assert parse_as_of("2026-03-02T12:00:00+02:00") == AsOf(
        moment=datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    )
    assert parse_as_of("2026-03-02T10:00:00Z").moment == datetime(2026, 3, 2, 10, tzinfo=UTC)
    for wrong in ("yesterday", "-1", "2026-03-02T10:00:00"):
        with pytest.raises(ReplayError):
            parse_as_of(wrong)
    # Times that cannot be written in UTC: an OverflowError and a traceback, before.
    for beyond in ("9999-12-31T23:00:00-02:00", "0001-01-01T00:30:00+01:00"):
        with pytest.raises(ReplayError, match="outside the years 1 to 9999 in UTC"):
            parse_as_of(beyond)
    assert date(2026, 3, 2) == parse_as_of("2026-03-02").moment.date()  # type: ignore[union-attr]
