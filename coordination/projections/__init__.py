"""Read models fed by the log, exactly once: see `runner` for how, `views` for what.

The composition root starts them (`coordination.bootstrap.node.start_projections`) and
stops them with `Projections.stop()`; GraphQL reads through
`coordination.projections.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.updates import ViewUpdate

__all__ = ["ProjectionRunner", "Projections", "ViewUpdate"]


@dataclass
class Projections:
    """The read database and the projector of one node process."""

    db: ReadDatabase
    runner: ProjectionRunner

    async def stop(self) -> None:
        """Stop the projector and close the read database."""
        await self.runner.stop()
        await self.db.close()
