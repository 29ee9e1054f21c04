"""One URL setting -> the event store settings of the `eventsourcing` library.

`sqlite:///relative/path.db`, `sqlite:////absolute/path.db` or
`postgresql://user:pw@host:port/db[?schema=name&connect_timeout=seconds]` (a schema
lets several nodes or test runs share one server; the connect timeout, libpq's parameter,
bounds how long a connection may take to be made and a command waits for a pooled one:
2 s unless given, see docs/decisions/0025-database-outages.md).
Both use the library's recorders, extended only by a check, at insert, of the versions
a command read (`read_validation`). On PostgreSQL the recorder serialises inserts with a
table lock so that notification ids are committed in order (never the database-functions
mode, which can commit them out of order and would let the integrator skip events), and
the library's factory is replaced only so that its datastore refuses at once while the
server is down (`datastore_postgres`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from coordination.private_files import private_file

#: The library's recorders with the read check of `read_validation` (decision 20).
SQLITE_RECORDER = "coordination.persistence.recorder_sqlite:ReadCheckingSQLiteRecorder"
POSTGRES_RECORDER = "coordination.persistence.recorder_postgres:ReadCheckingPostgresRecorder"
#: The library's PostgreSQL factory, whose datastore refuses at once while the server is
#: down (`datastore_postgres`).
POSTGRES_FACTORY = "coordination.persistence.datastore_postgres:OutageAwareFactory"
#: Seconds a connection may take to be made, when the URL does not say: a server that
#: refuses answers at once, so this only bounds one that does not answer at all.
CONNECT_TIMEOUT_S = 2
#: The bounds of the URL's `connect_timeout` (libpq takes less than 2 as 2).
CONNECT_TIMEOUT_BOUNDS = (2, 60)


class DatabaseURLError(ValueError):
    """The database URL cannot be used; the message says why."""


@dataclass(frozen=True)
class DatabaseTarget:
    """Where the event store lives, parsed from the URL."""

    engine: str  # "sqlite" or "postgresql"
    sqlite_path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = ""
    connect_timeout: int = CONNECT_TIMEOUT_S

    @property
    def is_postgres(self) -> bool:
        return self.engine == "postgresql"

    def describe(self) -> str:
        """The target without credentials, safe for logs."""
        if self.sqlite_path is not None:
            return f"sqlite:{self.sqlite_path}"
        return f"postgresql://{self.host}:{self.port}/{self.dbname}"


def parse_database_url(url: str) -> DatabaseTarget:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        raw = url.split("://", 1)[1] if "://" in url else ""
        raw = raw[1:] if raw.startswith("/") else raw  # sqlite:///rel, sqlite:////abs
        if not raw or raw == ":memory:":
            raise DatabaseURLError("an SQLite URL must name a file, e.g. sqlite:///var/node.db")
        return DatabaseTarget(engine="sqlite", sqlite_path=Path(unquote(raw)))
    if scheme in {"postgresql", "postgres"}:
        dbname = parts.path.lstrip("/")
        query = parse_qs(parts.query)
        schema = query.get("schema", [""])[0]
        if schema and not schema.replace("_", "").isalnum():
            raise DatabaseURLError("the schema in a PostgreSQL URL must be letters, digits and _")
        if not dbname:
            raise DatabaseURLError("a PostgreSQL URL must name a database: postgresql://host/db")
        return DatabaseTarget(
            engine="postgresql",
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            dbname=unquote(dbname),
            schema=schema,
            connect_timeout=_connect_timeout(query.get("connect_timeout", [""])[0]),
        )
    raise DatabaseURLError(
        f"unsupported database URL scheme '{parts.scheme}': use sqlite:/// or postgresql://"
    )


def _connect_timeout(given: str) -> int:
    if not given:
        return CONNECT_TIMEOUT_S
    low, high = CONNECT_TIMEOUT_BOUNDS
    if not given.isdigit() or not low <= int(given) <= high:
        raise DatabaseURLError(
            f"connect_timeout in a PostgreSQL URL must be whole seconds from {low} to {high}"
        )
    return int(given)


def connection_problem(target: DatabaseTarget, *, timeout: int = 5) -> str | None:
    """Why the PostgreSQL server of `target` does not take a connection, in the driver's
    words (a refused connection, an unknown database, a failed password); None when it
    does, and always for SQLite, which has no server.

    One attempt: the library's pool retries for `POSTGRES_CONNECT_TIMEOUT` seconds and then
    says only that it timed out.
    """
    if not target.is_postgres:
        return None
    import psycopg

    given: dict[str, Any] = {"user": target.user, "password": target.password}
    try:
        psycopg.connect(
            host=target.host,
            port=target.port,
            dbname=target.dbname,
            connect_timeout=timeout,
            **{name: value for name, value in given.items() if value},  # else libpq's default
        ).close()
    except psycopg.Error as error:
        return " ".join(str(error).split()) or type(error).__name__
    return None


def eventstore_env(target: DatabaseTarget, *, create_tables: bool) -> dict[str, str]:
    """The library's environment for `target`."""
    env = {"CREATE_TABLE": "y" if create_tables else "n"}
    if target.sqlite_path is not None:
        private_file(target.sqlite_path)  # before SQLite makes it, and its -wal, 0644
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            APPLICATION_RECORDER_TOPIC=SQLITE_RECORDER,
            SQLITE_DBNAME=str(target.sqlite_path),
            SQLITE_LOCK_TIMEOUT="30",
        )
        return env
    env.update(
        PERSISTENCE_MODULE=POSTGRES_FACTORY,
        APPLICATION_RECORDER_TOPIC=POSTGRES_RECORDER,
        POSTGRES_ENABLE_DB_FUNCTIONS="n",  # commits out of order: see above
        POSTGRES_DBNAME=target.dbname,
        POSTGRES_HOST=target.host,
        POSTGRES_PORT=str(target.port),
        POSTGRES_USER=target.user,
        POSTGRES_PASSWORD=target.password,
        POSTGRES_POOL_SIZE="10",
        POSTGRES_MAX_OVERFLOW="10",
        POSTGRES_LOCK_TIMEOUT="10",
        # The pool's wait for a connection, and the connect timeout of its own.
        POSTGRES_CONNECT_TIMEOUT=str(target.connect_timeout),
    )
    if target.schema:
        env["POSTGRES_SCHEMA"] = target.schema
    return env
