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
