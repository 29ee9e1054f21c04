"""Fixtures shared by every layer: the two event stores and a wired system on each.

PostgreSQL comes from COORDINATION_TEST_DATABASE_URL, or from a throwaway server this
session starts (and stops at the end, whatever the outcome). Each test gets its own
schema on PostgreSQL and its own file on SQLite, so tests never see each other's events.

The whole session runs with GraphQL's agreement check (decision 31): every query the
direct path answers is answered by strawberry's path too, and a test during which the
two disagreed fails. `COORDINATION_GRAPHQL_AGREEMENT_CHECK=false` turns it off.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pytest

from coordination.bootstrap import System, bootstrap
from coordination.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["sqlite", "postgres"]
#: The agreement check's switch; set here, every `Settings` and every process started
#: by a test sees it.
AGREEMENT = "COORDINATION_GRAPHQL_AGREEMENT_CHECK"
os.environ.setdefault(AGREEMENT, "true")


@pytest.fixture(autouse=True)
def paths_agree() -> Iterator[None]:
    """Fails the test during which the two GraphQL execution paths answered a query
    differently (in this process; a node run as a process answers it with an error)."""
    yield
    agreement = sys.modules.get("coordination.graphql.agreement")
    if agreement is None:
        return
    found = list(agreement.DISAGREEMENTS)
    agreement.DISAGREEMENTS.clear()
    assert not found, f"the direct path and strawberry's answered differently: {found}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    agreement = sys.modules.get("coordination.graphql.agreement")
    if agreement is None:
        return
    counts = agreement.COUNTS
    terminalreporter.write_line(
        f"GraphQL agreement check: {counts['compared']} queries answered alike by both"
        f" paths; {counts['moved']} not compared, the data having moved between the answers"
    )


def _load_throwaway_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "throwaway_postgres", ROOT / "infra" / "throwaway_postgres.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    configured = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with ExitStack() as stack:
        yield stack.enter_context(_load_throwaway_module().throwaway_server())


@pytest.fixture
def postgres_schema_url(postgres_server_url: str) -> Iterator[str]:
    """A URL to an empty schema of its own on the test server."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{postgres_server_url}?schema={schema}"
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="session")
def stoppable_server() -> Iterator[Any]:
    """A PostgreSQL server of its own (a `ThrowawayServer`) that tests may stop and start
    again: stopping the shared one would fail every other test's connections."""
    throwaway = _load_throwaway_module()
    if throwaway.find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries here to start and stop a server of its own")
    server = throwaway.ThrowawayServer()
    yield server
    server.remove()


@pytest.fixture
def stoppable_schema_url(stoppable_server: Any) -> Iterator[str]:
    """A URL to an empty schema of its own on `stoppable_server`, which runs again (if
    the test stopped it) when the test ends."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(stoppable_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{stoppable_server.url}?schema={schema}"
    if not stoppable_server.running:
        stoppable_server.start()
    with psycopg.connect(stoppable_server.url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        origin="test.example/coordination/log",
        env="test",
    )


@pytest.fixture
def system(settings: Settings) -> Iterator[System]:
    wired = bootstrap(settings)
    yield wired
    wired.close()
