"""Where each view stands: its generations, positions, parked events and definitions.

Read-only: unlike starting a node, reading the status never creates or replaces a
generation, so an operator can look before and after an upgrade (decision 16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from coordination.persistence.readdb import ReadDatabase
from coordination.projections.schema import definitions, generations
from coordination.projections.view import View


@dataclass(frozen=True)
class GenerationStatus:
    """One generation of a view, as the operator sees it.

    Attributes:
        view: The view's name.
        generation: The generation's number.
        status: ``live``, ``building`` (a rebuild) or ``scratch`` (a replay check).
        position: The log position it has processed up to.
        behind: Log positions it has still to process.
        parked: Events parked for it (see `parking`).
        current: Built with this release's definition of the view; a live generation
            that is not is built again at the node's next start.
    """

    view: str
    generation: int
    status: str
    position: int
    behind: int
    parked: int
    current: bool

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


async def view_status(
    db: ReadDatabase, views: Sequence[View], head: int
) -> list[GenerationStatus] | None:
    """Every generation of the views, oldest first; None when no view was created yet.

    Args:
        db: The read database.
        views: This release's views (for their definitions).
        head: The log's last position.
    """
    if not await _exists(db, "projection_tracking"):
        return None
    built = await definitions(db) if await _exists(db, "projection_definitions") else {}
    parked = {
        (r["view"], r["generation"]): int(r["n"])
        for r in await db.fetch(
            "SELECT view, generation, COUNT(*) AS n FROM parked_events GROUP BY view, generation"
        )
    }
    ours = {view.name: view.definition for view in views}
    return [
        GenerationStatus(
            view=g.view,
            generation=g.generation,
            status=g.status,
            position=g.position,
            behind=max(head - g.position, 0),
            parked=parked.get((g.view, g.generation), 0),
            current=built.get((g.view, g.generation)) == ours.get(g.view),
        )
        for g in await generations(db)
    ]


async def _exists(db: ReadDatabase, table: str) -> bool:
    if db.is_postgres:
        return bool(await db.fetchval("SELECT to_regclass($1) IS NOT NULL", table))
    found = await db.fetchval(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1", table
    )
    return bool(found)
