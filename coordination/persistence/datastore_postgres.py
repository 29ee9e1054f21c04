"""The library's PostgreSQL infrastructure, with a datastore that knows when its server is
down (`availability`).

The library builds its datastore, and the connection pool in it, from the environment;
its reads try ten times on a lost connection, and each try waits for the pool, which
cannot fill while the server is down. With the server stopped, `/ready` and a command
waited through every try (decision 25 has the times), holding a worker thread (or the
event loop) all along. Here `get_connection` refuses at once while the database is known
to be down, and a failure that may be the server's is probed once: if no connection can
be made, the error is `DatabaseUnavailable`, which the library does not retry. Every
user of the event store's pool goes through it: commands, `/ready`, the signed log, the
feed, `/metrics`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg import Connection
from psycopg.rows import DictRow

from coordination.persistence.availability import (
    Availability,
    DatabaseUnavailable,
    is_connection_failure,
)


class OutageAwareDatastore(PostgresDatastore):
    """The library's datastore, checked against the database's `availability`."""

    availability: Availability

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        self.availability.refuse_while_down()
        try:
            with super().get_connection() as conn:
                yield conn
        except (InterfaceError, OperationalError) as error:
            if is_connection_failure(error) and not self.availability.confirm():
                raise DatabaseUnavailable(
                    f"the database is unavailable: {self.availability.reason}"
                ) from error
            raise


class OutageAwareFactory(PostgresFactory):
    """The library's factory, whose datastore is an `OutageAwareDatastore`.

    The pool's own connections get the URL's connect timeout too (psycopg's default is
    130 s), and the probe uses the pool's connection settings.
    """

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The library's datastore, made from the environment, becomes the subclass: the
        # same object with the same pool (a copy would close the pool when either copy
        # is collected, and the settings would be parsed twice).
        datastore = cast(OutageAwareDatastore, self.datastore)
        datastore.__class__ = OutageAwareDatastore
        pool = datastore.pool
        assert isinstance(pool.kwargs, dict)  # as the library makes it
        pool.kwargs["connect_timeout"] = int(self.env.get(self.POSTGRES_CONNECT_TIMEOUT) or 2)
        conninfo: dict[str, Any] = dict(pool.kwargs)

        def probe() -> None:
            psycopg.connect(**conninfo).close()

        def recover() -> None:
            # Connections idle in the pool through the outage are broken; without this
            # the first commands after it would each meet one.
            if not pool.closed:
                pool.check()

        datastore.availability = Availability(probe, recover=recover)
