"""Pooled read connections go back to the pool without a reset query (see
`readdb_postgres._keep_session`); that is only sound while no code leaves session state
on them. This test finds the SQL that would: session advisory locks, LISTEN, session
settings. Only modules that run it on connections of their own may contain it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "coordination"

#: Modules whose session state lives on connections that never enter the pool.
OWN_CONNECTIONS = {
    "projections/leadership.py",  # the projector's lock, on its dedicated connection
    "audit/storage_postgres.py",  # the integrator's psycopg connections
    "federation/sync_leadership.py",  # the sync worker's lock, on its own connection
}

#: Our SQL is written in capitals; prose that says "set" is not SQL.
SESSION_STATE = re.compile(
    r"pg_(try_)?advisory_lock\(|^\s*LISTEN\s|^\s*SET\s+(?!LOCAL\b)\w+\s*(=|TO\b)"
    r"|set_config\([^)]*false"
)


def session_sql(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SESSION_STATE.search(node.value)
    ]


def test_only_modules_with_their_own_connections_leave_session_state() -> None:
    found = {
        str(path.relative_to(PACKAGE)): statements
        for path in sorted(PACKAGE.rglob("*.py"))
        if (statements := session_sql(path))
    }
    assert set(found) <= OWN_CONNECTIONS, {
        module: statements for module, statements in found.items() if module not in OWN_CONNECTIONS
    }


def test_the_pattern_sees_what_it_guards_against() -> None:
    assert SESSION_STATE.search("SELECT pg_try_advisory_lock($1)")
    assert SESSION_STATE.search("LISTEN coordination_projections")
    assert SESSION_STATE.search("SET statement_timeout = 0")
    assert not SESSION_STATE.search("SET LOCAL lock_timeout = '10s'")
    assert not SESSION_STATE.search("UPDATE projection_tracking SET position = $1")
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock($1)")
    assert not SESSION_STATE.search("Set the workshop's agenda.")
