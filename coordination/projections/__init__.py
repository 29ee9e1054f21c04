"""Read models fed by the log, exactly once: see `runner` for how, `views` for what.

The API's lifespan starts them with `start_projections(system)` and stops them with
`Projections.stop()`; GraphQL reads through `coordination.projections.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import ensure_schema
from coordination.projections.updates import ViewUpdate
from coordination.projections.views import ALL_VIEWS

if TYPE_CHECKING:
    from coordination.bootstrap import System

__all__ = ["ProjectionRunner", "Projections", "ViewUpdate", "start_projections"]


@dataclass
class Projections:
    """The read database and the projector of one node process."""

    db: ReadDatabase
    runner: ProjectionRunner

    async def stop(self) -> None:
        """Stop the projector and close the read database."""
        await self.runner.stop()
        await self.db.close()


async def start_projections(
    system: System, *, cursor_key: bytes | None = None, start: bool = True
) -> Projections:
    """Open the read database, create the views' tables if missing, start the projector.

    Args:
        system: The wired node (its target and application).
        cursor_key: Signs pagination cursors (default: derived from the database target).
        start: Start the projector's background task (False for tools that drive it).
    """
    db = await ReadDatabase.open(
        system.target, cursor_key=cursor_key, availability=system.availability
    )
    await ensure_schema(db, ALL_VIEWS)
    runner = ProjectionRunner(db, system.app)
    if start:
        await runner.start()
    return Projections(db, runner)
