"""One URL setting chooses the event store; bad URLs say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordination.persistence.eventstore import (
    DatabaseURLError,
    eventstore_env,
    parse_database_url,
)
from coordination.settings import Settings


def test_default_is_an_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None)
    target = parse_database_url(settings.effective_database_url)
    assert target.sqlite_path == tmp_path / "coordination.db"
    env = eventstore_env(target, create_tables=True)
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"


def test_postgres_url_uses_the_librarys_recorder_with_its_table_lock_and_our_read_check() -> None:
    target = parse_database_url("postgresql://u:p%40ss@db.example:6543/node?schema=node_it")
    env = eventstore_env(target, create_tables=False)
    # the library's factory, with a datastore that refuses at once while the server is down
    assert env["PERSISTENCE_MODULE"].endswith(":OutageAwareFactory")
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.example", "6543")
    assert env["POSTGRES_PASSWORD"] == "p@ss"
    assert env["POSTGRES_SCHEMA"] == "node_it"
    # never the database functions, which commit out of order (and check no reads)
    assert env["POSTGRES_ENABLE_DB_FUNCTIONS"] == "n"
    assert env["APPLICATION_RECORDER_TOPIC"].endswith(":ReadCheckingPostgresRecorder")
    assert "p@ss" not in target.describe()


def test_the_connect_timeout_is_two_seconds_unless_the_url_says() -> None:
    assert parse_database_url("postgresql://h/db").connect_timeout == 2
    target = parse_database_url("postgresql://h/db?schema=s&connect_timeout=15")
    assert (target.connect_timeout, target.schema) == (15, "s")
    # The pool's wait for a connection, and its connections' own connect timeout.
    assert eventstore_env(target, create_tables=False)["POSTGRES_CONNECT_TIMEOUT"] == "15"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://h/db", "unsupported database URL scheme"),
        ("sqlite://", "must name a file"),
        ("sqlite:///:memory:", "must name a file"),
        ("postgresql://host", "must name a database"),
        ("postgresql://host/db?schema=a;drop", "letters, digits and _"),
        ("postgresql://host/db?connect_timeout=1", "whole seconds from 2 to 60"),
        ("postgresql://host/db?connect_timeout=2.5", "whole seconds from 2 to 60"),
        ("postgresql://host/db?connect_timeout=61", "whole seconds from 2 to 60"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(url: str, message: str) -> None:
    with pytest.raises(DatabaseURLError, match=message):
        parse_database_url(url)
