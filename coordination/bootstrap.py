"""The composition root: the API, the CLI and the tests build the system here, and only here."""

from __future__ import annotations

from dataclasses import dataclass

from coordination.application import Coordination
from coordination.persistence.eventstore import (
    DatabaseTarget,
    eventstore_env,
    parse_database_url,
)
from coordination.settings import Settings


@dataclass
class System:
    """The wired services of one node."""

    settings: Settings
    target: DatabaseTarget
    app: Coordination

    def close(self) -> None:
        self.app.close()


def bootstrap(settings: Settings, *, create_tables: bool = True) -> System:
    """Build the node's services from `settings`.

    Args:
        settings: The node's settings.
        create_tables: Create the event store's tables when missing (what `migrate` does);
            `serve` passes False and reports an unmigrated database as not ready.
    """
    target = parse_database_url(settings.effective_database_url)
    app = Coordination(env=eventstore_env(target, create_tables=create_tables))
    return System(settings=settings, target=target, app=app)


class StoreMissing(Exception):
    """The URL names no event store: it was never migrated, or it is not the one meant."""


def open_existing(settings: Settings) -> System:
    """`bootstrap` for the commands that read a node's store, which never create one.

    `rebuild`, `check-replay`, `views`, `integrate`, `export` and `replay` run on a store
    that was created without them; pointed at a wrong URL, creating a store there made
    them report on an empty one as if all was well ("replay gives the live views
    exactly").

    Raises:
        DatabaseURLError: The URL is malformed.
        StoreMissing: There is no event store at the URL (nothing was created there).
    """
    target = parse_database_url(settings.effective_database_url)
    if target.sqlite_path is not None and not target.sqlite_path.is_file():
        raise StoreMissing(_missing(target, "no such file"))
    system = bootstrap(settings, create_tables=False)
    try:
        system.app.recorder.max_notification_id()
    except Exception as error:  # the driver says why; the message says what to do
        system.close()
        raise StoreMissing(_missing(target, type(error).__name__)) from None
    return system


def _missing(target: DatabaseTarget, why: str) -> str:
    return (
        f"there is no event store at {target.describe()} ({why}): is that the node's"
        " database, and has `coordination migrate` been run?"
    )
