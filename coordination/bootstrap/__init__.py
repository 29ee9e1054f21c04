"""The composition root: the HTTP app, the CLI and the tests build the node here, and only
here (docs/decisions/0029-one-composition-root.md).

This module builds the write side: the event store and the application over it
(`bootstrap`, `System`), and says whether the store can serve (`store_readiness`).
`bootstrap.node` builds the serving node over it (views, the signed log, token keys,
GraphQL) and stops it; `bootstrap.replay` builds a second, read-only one as of a moment.
Each part gets what it needs as arguments (the application, the database target, the
availability, the one setting it uses), so no layer below imports this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import PersistenceError

from coordination.application import Coordination
from coordination.audit.integrity import IntegrityAlarm
from coordination.audit.keys import keys_dir
from coordination.persistence.availability import Availability
from coordination.persistence.eventstore import (
    DatabaseTarget,
    DatabaseURLError,
    connection_problem,
    eventstore_env,
    parse_database_url,
)
from coordination.privacy.keys import open_subject_keys
from coordination.settings import Settings


@dataclass
class System:
    """The wired services of one node."""

    settings: Settings
    target: DatabaseTarget
    app: Coordination
    #: Whether the database takes connections (never down on SQLite): the event store's
    #: datastore keeps it, the read side and the endpoints consult it.
    availability: Availability = field(default_factory=Availability)
    #: The node's integrity alarm (in its keys directory), which every process reads.
    integrity: IntegrityAlarm = field(init=False)

    def __post_init__(self) -> None:
        self.integrity = IntegrityAlarm(keys_dir(self.settings))

    def close(self) -> None:
        self.availability.close()
        self.app.close()
        self.app.subject_keys.close()


def bootstrap(settings: Settings, *, create_tables: bool = True) -> System:
    """Build the node's services from `settings`.

    Args:
        settings: The node's settings.
        create_tables: Create the event store's tables when missing (what `migrate` does);
            `serve` passes False and reports an unmigrated database as not ready.

    Raises:
        DatabaseURLError: The URL is malformed.
        StoreUnreachable: The database cannot be reached or opened.
    """
    target = parse_database_url(settings.effective_database_url)
    try:
        keys = open_subject_keys(target, settings.data_dir)
        app = Coordination(
            env=eventstore_env(target, create_tables=create_tables), subject_keys=keys
        )
    except (PersistenceError, OSError) as error:
        reason = connection_problem(target) or " ".join(str(error).split()) or repr(error)
        raise StoreUnreachable(_unreachable(target, reason)) from None
    kept = getattr(getattr(app.recorder, "datastore", None), "availability", None)
    availability = kept if isinstance(kept, Availability) else Availability()
    return System(settings=settings, target=target, app=app, availability=availability)


class StoreUnavailable(Exception):
    """The node's event store cannot be used as configured; the message says why."""


class StoreUnreachable(StoreUnavailable):
    """The event store's database cannot be reached or opened (a server that is down or
    refuses the credentials, a file that cannot be created)."""


class StoreMissing(StoreUnavailable):
    """The URL names no event store: it was never migrated, or it is not the one meant."""


#: What a command reports in one line, with exit code 2: the store cannot be used as
#: configured (a malformed URL, a database that cannot be reached, no store there).
STORE_ERRORS = (DatabaseURLError, StoreUnavailable)


def reached(settings: Settings) -> DatabaseTarget:
    """The settings' database, once it takes a connection.

    The commands ask first, so that a server that is down or refuses them is reported at
    once and in the driver's words, not after the library's pool has waited for it.

    Raises:
        DatabaseURLError: The URL is malformed.
        StoreUnreachable: The PostgreSQL server does not take a connection.
    """
    target = parse_database_url(settings.effective_database_url)
    problem = connection_problem(target)
    if problem is not None:
        raise StoreUnreachable(_unreachable(target, problem))
    return target


def open_store(settings: Settings) -> System:
    """`bootstrap` for `migrate` and `demo`, which create the store where there is none.

    Raises:
        DatabaseURLError: The URL is malformed.
        StoreUnreachable: The database cannot be reached or opened.
    """
    reached(settings)
    return bootstrap(settings)


def open_existing(settings: Settings) -> System:
    """`bootstrap` for the commands that read a node's store, which never create one.

    `rebuild`, `check-replay`, `views`, `integrate`, `export` and `replay` run on a store
    that was created without them; pointed at a wrong URL, creating a store there made
    them report on an empty one as if all was well ("replay gives the live views
    exactly").

    Raises:
        DatabaseURLError: The URL is malformed.
        StoreUnreachable: The database cannot be reached or opened.
        StoreMissing: There is no event store at the URL (nothing was created there).
    """
    target = reached(settings)
    if target.sqlite_path is not None and not target.sqlite_path.is_file():
        raise StoreMissing(_missing(target, "no such file"))
    system = bootstrap(settings, create_tables=False)
    try:
        system.app.recorder.max_notification_id()
    except Exception as error:  # the driver says why; the message says what to do
        system.close()
        raise StoreMissing(_missing(target, type(error).__name__)) from None
    return system


def store_readiness(system: System) -> dict[str, Any]:
    """Check that the event store answers and is migrated (runs in a worker thread): what
    `/ready` reports, and what the node waits for before it starts its views and log.

    While the database is known to be down this asks nothing of it; otherwise a server
    that went down is found by one probe (`Availability`), not waited for.
    """
    try:
        system.availability.refuse_while_down()
        position = system.app.recorder.max_notification_id() or 0
    except Exception as error:
        return {
            "status": "unavailable",
            "database": system.target.describe(),
            "detail": _unreadable(error, system.availability),
        }
    return {"status": "ready", "database": system.target.describe(), "position": position}


def _unreadable(error: Exception, availability: Availability) -> str:
    if availability.down:
        return (
            f"the database is unavailable ({availability.reason}); the node serves again,"
            " without a restart, once it takes connections"
        )
    return (
        f"the event store cannot be read ({type(error).__name__}); "
        "is the database up, and has `coordination migrate` been run?"
    )


def _unreachable(target: DatabaseTarget, why: str) -> str:
    return f"cannot open the event store at {target.describe()}: {why}"


def _missing(target: DatabaseTarget, why: str) -> str:
    return (
        f"there is no event store at {target.describe()} ({why}): is that the node's"
        " database, and has `coordination migrate` been run?"
    )
