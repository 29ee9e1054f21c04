"""A projector in a process of its own, for the crash test: python projector_child.py URL BATCH."""

from __future__ import annotations

import asyncio
import sys

from coordination.bootstrap import bootstrap
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.runner import ProjectionRunner
from coordination.projections.schema import ensure_schema
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings


async def main(url: str, batch_size: int) -> None:
    system = bootstrap(Settings(database_url=url), create_tables=False)
    db = await ReadDatabase.open(system.target)
    await ensure_schema(db, ALL_VIEWS)
    runner = ProjectionRunner(db, system.app, batch_size=batch_size)
    await runner.start()
    await asyncio.Event().wait()  # runs until killed


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
