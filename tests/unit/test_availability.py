"""`Availability`: one probe decides whether the database is down, a thread probes until it
is back; and which errors say the database could not be reached (real drivers, a real
server, and a loopback port where nothing listens)."""

from __future__ import annotations

import gc
import socket
import time
from collections.abc import Callable, Iterator

import asyncpg  # type: ignore[import-untyped]
import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from coordination.persistence.availability import (
    Availability,
    DatabaseUnavailable,
    is_connection_failure,
)
from tests.processes import free_port


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.01)  # polling a condition with a deadline


class Port:
    """A loopback port that refuses connections until `listen`."""

    def __init__(self) -> None:
        self.number = free_port()
        self.listener: socket.socket | None = None
        self.recovered = 0

    def probe(self) -> None:
        socket.create_connection(("127.0.0.1", self.number), timeout=2).close()

    def recover(self) -> None:
        self.recovered += 1

    def listen(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.number))


@pytest.fixture
def port() -> Iterator[Port]:
    refusing = Port()
    yield refusing
    if refusing.listener is not None:
        refusing.listener.close()


def test_a_failed_probe_refuses_until_a_later_one_connects_after_recovering(port: Port) -> None:
    availability = Availability(port.probe, recover=port.recover, interval=0.05)
    assert not availability.confirm()
    assert availability.down
    with pytest.raises(DatabaseUnavailable, match=r"the database is unavailable: .*refused"):
        availability.refuse_while_down()
    assert port.recovered == 0

    port.listen()
    wait_for(lambda: not availability.down)
    assert port.recovered == 1  # before requests were let through again
    availability.refuse_while_down()
    availability.close()


def test_a_probe_that_connects_leaves_it_up_and_drops_broken_connections(port: Port) -> None:
    port.listen()
    availability = Availability(port.probe, recover=port.recover)
    assert availability.confirm()
    assert not availability.down
    assert port.recovered == 1  # one connection failed: the others may have too


def test_suspect_probes_in_a_thread_without_waiting(port: Port) -> None:
    availability = Availability(port.probe, interval=0.05)
    availability.suspect()
    wait_for(lambda: availability.down)
    port.listen()
    wait_for(lambda: not availability.down)
    availability.close()


def test_without_a_probe_the_database_is_never_down() -> None:
    availability = Availability()  # SQLite's
    availability.suspect()
    assert availability.confirm()
    assert not availability.down


@pytest.mark.parametrize("end", ["close", "drop"])
def test_probing_ends_when_closed_or_when_nothing_holds_the_availability(
    port: Port, end: str
) -> None:
    availability = Availability(port.probe, interval=0.05)
    availability.suspect()
    wait_for(lambda: availability.down)
    prober = availability._prober
    assert prober is not None
    if end == "close":
        availability.close()
    else:  # a system whose start failed is dropped, and probes nothing more
        del availability
        gc.collect()
    prober.join(timeout=5)
    assert not prober.is_alive()


async def test_refused_connections_are_connection_failures_in_both_drivers(port: Port) -> None:
    url = f"postgresql://postgres@127.0.0.1:{port.number}/db"
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(url, connect_timeout=2)
    assert is_connection_failure(refused.value)
    wrapped = OperationalError(str(refused.value))
    wrapped.__cause__ = refused.value  # as the library raises it
    assert is_connection_failure(wrapped)
    with pytest.raises(OSError) as unreachable:
        await asyncpg.connect(url, timeout=2)
    assert is_connection_failure(unreachable.value)
    assert is_connection_failure(DatabaseUnavailable("down"))


async def test_statement_errors_are_not_connection_failures(postgres_server_url: str) -> None:
    with psycopg.connect(postgres_server_url) as conn:
        with pytest.raises(psycopg.Error) as missing:
            conn.execute("SELECT * FROM no_such_table")
        assert not is_connection_failure(missing.value)
        conn.rollback()
        conn.execute("SET statement_timeout = 1")
        with pytest.raises(psycopg.errors.QueryCanceled) as cancelled:
            conn.execute("SELECT pg_sleep(1)")
        assert not is_connection_failure(cancelled.value)
    connection = await asyncpg.connect(postgres_server_url)
    try:
        with pytest.raises(asyncpg.PostgresError) as undefined:
            await connection.fetch("SELECT * FROM no_such_table")
        assert not is_connection_failure(undefined.value)
    finally:
        await connection.close()
    assert not is_connection_failure(FileNotFoundError("keys/signing.key"))
