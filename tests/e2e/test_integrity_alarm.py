"""The integrity alarm's reach on a running node, on both stores (decision 35).

Each kind of tampering, done behind the node's back while it runs: within seconds the
self-audit raises the alarm naming the entry, the integrator integrates and signs nothing
more, `/ready` answers 503 naming the finding, `coordination_integrity_ok` is 0, GraphQL
shows it to an auditor, and `coordination integrity resolve` refuses until it is put
right; then it resolves, and the node signs again. The log's tables wiped, the node
integrates its events again and every check of the self-audit passes, but it signs
nothing over the checkpoint it keeps in its keys directory (decision 34).
"""

from __future__ import annotations

import asyncio
import io
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from rich.console import Console

from coordination.audit.integrity import FullPass, Integrity, read_integrity
from coordination.audit.keys import keys_dir
from coordination.audit.runtime import AuditRuntime
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System, bootstrap
from coordination.cli.integrity import integrity_resolve
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.asgi import serving
from tests.audit.support import fill_events
from tests.audit.tampering import TAMPERINGS, entry_byte, log_wiped

ORIGIN = "test.example/coordination/log"
#: No full pass yet, as `wait_for` compares it.
NO_PASS = FullPass(datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC), -1)
#: Seconds within which the node must have done what is waited for.
DEADLINE_S = 30.0
#: A full pass is paced to a tenth of the time (decision 35): on a loaded machine it may
#: take longer than the alarm may, which is what "within seconds" is about.
PASS_DEADLINE_S = 120.0
INTEGRITY = """{ integrity { state since findings { check logIndex detail foundAt }
  lastFullPass { entries findings } } }"""


async def until(condition: Callable[[], bool], what: str, *, within: float = DEADLINE_S) -> None:
    """Wait until ``condition()`` holds, polling, at most ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(0.05)  # polling a condition with a deadline


def state_of(settings: Settings) -> Integrity:
    return read_integrity(keys_dir(settings))


def quiet() -> Console:
    return Console(file=io.StringIO())


async def ask(client: httpx.AsyncClient, token: str) -> dict[str, object]:
    answer = await client.post(
        "/graphql", json={"query": INTEGRITY}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()["data"]["integrity"]
    return data


@pytest.mark.parametrize("kind", sorted(TAMPERINGS))
async def test_tampering_raises_the_alarm_and_stops_signing_until_resolved(
    kind: str, settings: Settings, system: System
) -> None:
    events = load_demo(system.app, origin=settings.origin, console=quiet()).events
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    auditor = issue_token(keys, role="auditor", person=uuid4())
    app = create_app(settings, system=system)
    async with serving(app) as client:
        runtime: AuditRuntime = app.state.audit
        storage = runtime.log.storage

        def signed() -> int:
            checkpoint = storage.latest_checkpoint()
            return checkpoint.size if checkpoint is not None else 0

        def passed_since(moment: datetime, entries: int) -> bool:
            last = state_of(settings).last_full_pass
            return last is not None and last.started_at > moment and last.entries >= entries

        started = datetime.now(UTC)
        await until(lambda: signed() == events, "the demo integrated and signed")
        await until(
            lambda: passed_since(started, events),
            "a full pass over the demo",
            within=PASS_DEADLINE_S,
        )
        assert state_of(settings).ok
        assert (await client.get("/ready")).json()["status"] != "integrity_alarm"

        tampered = TAMPERINGS[kind](system)
        await until(lambda: not state_of(settings).ok, f"the alarm for {kind}")
        state = state_of(settings)
        assert (tampered.check, tampered.index) in {(f.check, f.index) for f in state.findings}
        first = state.findings[0]

        # Mutations go on being recorded; nothing is integrated or signed over them.
        fill_events(system.app, 5)
        assert runtime.integrator.run_once() == 0
        assert signed() == events

        ready = await client.get("/ready")
        assert ready.status_code == 503
        report = ready.json()
        assert report["status"] == "integrity_alarm"
        assert report["finding"]["check"] == first.check
        assert report["finding"]["index"] == first.index
        assert first.describe() in report["detail"]

        metrics = (await client.get("/metrics")).text
        assert "coordination_integrity_ok 0.0" in metrics

        shown = await ask(client, auditor)
        assert shown["state"] == "ALARM"
        assert shown["since"] is not None
        findings = shown["findings"]
        assert isinstance(findings, list)
        assert (findings[0]["check"], findings[0]["logIndex"]) == (first.check, first.index)

        assert integrity_resolve(settings, console=quiet()) == 1
        assert not state_of(settings).ok

        # Put right: once the node's own pass has seen it so, resolve clears the alarm.
        tampered.undo()
        undone = datetime.now(UTC)
        await until(
            lambda: passed_since(undone, events),
            "a full pass after the repair",
            within=PASS_DEADLINE_S,
        )
        assert integrity_resolve(settings, console=quiet()) == 0
        assert state_of(settings).ok
        await until(lambda: signed() == events + 5, "signing again once resolved")
        assert "coordination_integrity_ok 1.0" in (await client.get("/metrics")).text
        assert (await ask(client, auditor))["state"] == "OK"


async def test_a_wiped_log_integrated_again_is_not_signed_until_its_checkpoints_are_back(
    settings: Settings, system: System
) -> None:
    events = load_demo(system.app, origin=settings.origin, console=quiet()).events
    app = create_app(settings, system=system)
    kept = keys_dir(settings) / "last-checkpoint"
    async with serving(app) as client:
        runtime: AuditRuntime = app.state.audit
        storage = runtime.log.storage

        def signed() -> int:
            checkpoint = storage.latest_checkpoint()
            return checkpoint.size if checkpoint is not None else 0

        started = datetime.now(UTC)
        await until(lambda: signed() == events, "the demo integrated and signed")
        # Right after a full pass, the next 2 s away: no pass straddles the wipe.
        await until(
            lambda: (state_of(settings).last_full_pass or NO_PASS).started_at > started,
            "a full pass over the demo",
        )
        note = kept.read_text()

        wiped = log_wiped(system)
        await until(lambda: not state_of(settings).ok, "the alarm for the wiped log")
        (finding,) = state_of(settings).findings  # the self-audit finds nothing else
        assert (finding.check, finding.index) == ("last_checkpoint", None)
        assert f"this node last signed a checkpoint of size {events} (root" in finding.detail
        assert (
            f"the database holds no signed checkpoint and a tree of {events} entries"
            in finding.detail
        )
        assert storage.position().size == events  # integrated again,
        assert signed() == 0  # and nothing signed over it
        assert kept.read_text() == note

        fill_events(system.app, 5)
        assert runtime.integrator.run_once() == 0
        assert signed() == 0
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["finding"]["check"] == "last_checkpoint"
        assert "coordination_integrity_ok 0.0" in (await client.get("/metrics")).text
        # Every check of the self-audit passes over the log integrated again; resolve
        # refuses all the same, as the integrator would refuse to sign.
        assert integrity_resolve(settings, console=quiet()) == 1
        assert [f.check for f in state_of(settings).findings] == ["last_checkpoint"]

        wiped.undo()  # the database's checkpoints back, as a copy that holds them would
        assert integrity_resolve(settings, console=quiet()) == 0
        await until(lambda: signed() == events + 5, "signing again once resolved")
        assert state_of(settings).ok
    assert kept.read_text() != note


async def test_an_untouched_node_raises_no_alarm_and_shows_its_last_pass(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    events = load_demo(system.app, origin=settings.origin, console=quiet()).events
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    admin = issue_token(keys, role="admin", person=uuid4())
    representative = issue_token(keys, role="representative", person=uuid4(), org=uuid4())
    app = create_app(settings, system=system)
    async with serving(app) as client:

        def covered() -> bool:
            last = state_of(settings).last_full_pass
            return last is not None and last.entries == events

        await until(covered, "a full pass over the demo", within=PASS_DEADLINE_S)
        shown = await ask(client, admin)
        assert shown == {
            "state": "OK",
            "since": None,
            "findings": [],
            "lastFullPass": {"entries": events, "findings": 0},
        }
        assert "coordination_integrity_ok 1.0" in (await client.get("/metrics")).text
        assert (keys_dir(settings) / "integrity.json").is_file()
        refused = await client.post(
            "/graphql",
            json={"query": INTEGRITY},
            headers={"Authorization": f"Bearer {representative}"},
        )
        assert refused.json()["data"]["integrity"] is None
        (error,) = refused.json()["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "only the secretariat and auditors read the integrity alarm" in error["message"]
        assert tmp_path in keys_dir(settings).parents


def test_under_serve_on_postgres_the_integrator_s_child_audits_and_every_process_sees_it(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    """`serve` runs the integrator, and so the self-audit, as its child (decision 18): the
    alarm it raises is what the serving process answers `/ready` and `/metrics` with."""
    from tests.e2e.test_integrator_process import log_size, start_serve, wait_for
    from tests.processes import free_port

    port = free_port()
    server = start_serve(postgres_schema_url, tmp_path, port)
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path, origin=ORIGIN)
    system = bootstrap(settings)
    node = f"http://127.0.0.1:{port}"
    try:
        fill_events(system.app, 200)
        wait_for(lambda: log_size(system) == (200, 200))
        wait_for(lambda: (state_of(settings).last_full_pass or NO_PASS).entries == 200)
        wait_for(lambda: httpx.get(f"{node}/ready", timeout=5).status_code == 200)
        entry_byte(system, 42)
        wait_for(lambda: httpx.get(f"{node}/ready", timeout=5).status_code == 503)
        report = httpx.get(f"{node}/ready", timeout=5).json()
        assert report["status"] == "integrity_alarm"
        assert (report["finding"]["check"], report["finding"]["index"]) == ("leaf_hash", 42)
        assert "coordination_integrity_ok 0.0" in httpx.get(f"{node}/metrics", timeout=5).text
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
        system.close()
    output = " ".join((tmp_path / "serve.out").read_text().split())
    assert "integrity alarm: leaf_hash check, entry 42" in output  # the child's log line
