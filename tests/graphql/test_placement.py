"""Commands on the event loop's thread where that is safe, in a command thread otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.graphql.context import GraphQLConfig
from coordination.graphql.mutations.placement import CommandPlacement
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.conftest import Http, http_client
from tests.graphql.scenario import Scenario

ADMIT = document("admitMember")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def admit(scenario: Scenario, name: str) -> dict[str, Any]:
    return {
        "input": {"partnershipId": str(scenario.partnership), "name": name, "kind": "ASSOCIATION"}
    }


def placements(caplog: pytest.LogCaptureFixture) -> list[bool]:
    """Where each handled command ran (True: on the loop), from the node's log."""
    return [
        record.fields["on_loop"]  # type: ignore[attr-defined]
        for record in caplog.records
        if record.getMessage() == "command handled"
    ]


@pytest.fixture
async def quiet_db(system: System) -> AsyncIterator[ReadDatabase]:
    """The read database with no projector writing through it."""
    db = await ReadDatabase.open(system.target)
    yield db
    await db.close()


@asynccontextmanager
async def node(
    settings: Settings, system: System, db: ReadDatabase, keys: TokenKeys, **config: Any
) -> AsyncIterator[Http]:
    """The node's app over `db`, without a projector (mutations do not wait for views)."""
    http, api = await http_client(settings, system, db, None, keys, GraphQLConfig(**config))
    try:
        yield http
    finally:
        await http.client.aclose()
        await api.stop()


async def test_a_stalled_or_failed_command_sends_the_next_ones_to_the_threads(
    quiet_db: ReadDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="coordination.graphql.commands")
    clock = Clock()
    placement = CommandPlacement(quiet_db, slow=0.02, stall=1.0, cooldown=30, clock=clock)
    assert placement.on_loop()
    placement.ran_on_loop(0.002, failed=False)
    placement.ran_on_loop(0.06, failed=False)  # a commit that waited for the disk
    assert placement.on_loop()

    assert not caplog.records
    placement.ran_on_loop(1.5, failed=False)
    assert not placement.on_loop()
    (warning,) = caplog.records  # operators learn why, and for how long
    assert warning.getMessage() == (
        "a command took 1.5 s on the event loop: commands run in command threads for the next 30 s"
    )
    clock.now += 29.9
    assert not placement.on_loop()
    clock.now += 0.2
    assert placement.on_loop()

    placement.ran_on_loop(0.001, failed=True)
    assert not placement.on_loop()
    assert not CommandPlacement(quiet_db, enabled=False).on_loop()


async def test_commands_slow_as_a_rule_go_to_the_threads(quiet_db: ReadDatabase) -> None:
    clock = Clock()
    placement = CommandPlacement(quiet_db, slow=0.02, stall=1.0, cooldown=30, clock=clock)
    ran = 0
    while placement.on_loop():
        placement.ran_on_loop(0.08, failed=False)
        ran += 1
    assert 1 < ran < 10
    clock.now += 30.1
    assert placement.on_loop()  # measured afresh after the cooldown
    placement.ran_on_loop(0.08, failed=False)
    assert placement.on_loop()


async def test_on_sqlite_no_command_runs_on_the_loop_while_its_writer_is_in_use(
    quiet_db: ReadDatabase,
) -> None:
    db = quiet_db
    placement = CommandPlacement(db)
    async with db.transaction():
        # The file's write lock is held until this loop commits: a command on the loop
        # would wait for it for ever. PostgreSQL's read-side writes hold nothing of the
        # event store's.
        assert db.writing() is not db.is_postgres
        assert placement.on_loop() is db.is_postgres
    assert not db.writing()
    assert placement.on_loop()


async def test_commands_run_on_the_loop_unless_told_not_to(
    settings: Settings,
    system: System,
    quiet_db: ReadDatabase,
    keys: TokenKeys,
    scenario: Scenario,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="coordination.graphql.commands")
    admin = scenario.principal("admin")
    for name, config, where in [
        ("On the loop", {}, "loop"),
        ("In a thread", {"commands_on_loop": False}, "thread"),
    ]:
        async with node(settings, system, quiet_db, keys, **config) as http:
            body = (await http.post(ADMIT, admit(scenario, name), principal=admin)).json()
            assert body["data"]["admitMember"]["__typename"] == "AdmitMemberPayload", body
            exposition = (await http.client.get("/metrics")).text
            assert f'coordination_command_placement_total{{where="{where}"}} 1.0' in exposition
    assert placements(caplog) == [True, False]
    names = {m.name for m in scenario.app.repository.get(scenario.partnership).members.values()}
    assert {"On the loop", "In a thread"} <= names


async def test_a_command_waiting_for_the_write_lock_does_not_hold_up_the_loop(
    http: Http,
    projections: Projections,
    scenario: Scenario,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="coordination.graphql.commands")
    db = projections.db
    admin = scenario.principal("admin")
    holding, released = asyncio.Event(), asyncio.Event()

    async def hold_the_writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("UPDATE projection_tracking SET position = position WHERE 1 = 0")
            holding.set()
            await released.wait()

    holder = asyncio.create_task(hold_the_writer())
    async with asyncio.timeout(10):
        await holding.wait()
    mutation = asyncio.create_task(http.post(ADMIT, admit(scenario, "Held"), principal=admin))
    # The loop goes on serving while the command waits for SQLite's write lock.
    async with asyncio.timeout(10):
        assert await db.fetchval("SELECT 1") == 1
        while not mutation.done() and db.is_postgres:
            await asyncio.sleep(0)
    released.set()
    async with asyncio.timeout(30):
        await holder
        body = (await mutation).json()
    assert body["data"]["admitMember"]["__typename"] == "AdmitMemberPayload", body
    # On SQLite it went to a thread; on PostgreSQL nothing it needs was held.
    assert placements(caplog) == [db.is_postgres]
