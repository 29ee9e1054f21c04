"""Retrying parked events when someone asked for it (``parked_events.retry_requested``).

The active projector looks for requests between pages: for each view generation it
writes with a request pending, it applies the parked events again in log order and, in
one transaction that also checks the views did not move, writes the rows, unparks what
applied and keeps the new errors of what failed again.
"""

from __future__ import annotations

from coordination.persistence.readdb import Connection
from coordination.projections import parking
from coordination.projections.page_commit import Stale
from coordination.projections.pipeline import PagePipeline
from coordination.projections.processing import retry_parked
from coordination.projections.updates import ViewUpdate


async def retry_requested(pipeline: PagePipeline, connection: Connection) -> list[ViewUpdate]:
    """Retry the parked events whose retry was requested; what changed, per view.

    Returns early (after reloading the pipeline) if the views moved under it.
    """
    requested = await connection.fetch(
        "SELECT DISTINCT view, generation FROM parked_events WHERE retry_requested = 1"
    )
    wanted = {(r["view"], r["generation"]) for r in requested}
    updates: list[ViewUpdate] = []
    for target in pipeline.targets.values():
        if (target.view.name, target.generation) not in wanted:
            continue
        rows = await parking.parked_rows(connection, target.view.name, target.generation)
        notes = await pipeline.log.read_ids(
            connection, [int(str(r["notification_id"])) for r in rows]
        )
        result = retry_parked(notes, target, pipeline.decode)
        try:
            async with connection.transaction() as tx:
                await pipeline.check_current(tx)
                await result.batch.flush(tx, bulk=pipeline.db.is_postgres)
                await parking.settle_retry(
                    tx, target.view.name, target.generation, result.applied, result.failed
                )
        except Stale:
            await pipeline.load(connection)
            return updates
        target.parked = await parking.parked_streams(
            connection, target.view.name, target.generation
        )
        updates.append(
            ViewUpdate(target.view.name, target.position, stream_ids=frozenset(result.streams))
        )
    return updates
