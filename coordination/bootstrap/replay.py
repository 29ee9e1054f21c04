"""A replay node: the log up to a moment, copied into a fresh SQLite event store of its
own, with every view built over the copy (`coordination replay --as-of`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coordination.audit.last_checkpoint import node_last_checkpoint
from coordination.audit.replay import (
    AsOf,
    Replayed,
    ReplayError,
    copy_events,
    find_cut_off,
    integrate_if_behind,
)
from coordination.audit.storage import open_storage
from coordination.bootstrap import System, bootstrap
from coordination.bootstrap.node import start_projections

if TYPE_CHECKING:
    from coordination.audit.note import Signer
    from coordination.projections import Projections


def replay_database(source: System, into: Path) -> System:
    """A fresh SQLite event store at ``into`` for the node of ``source``.

    Raises:
        ReplayError: ``into`` already exists (a replay never writes into old data).
    """
    if into.exists():
        raise ReplayError(f"{into} already exists: choose a new file for the replay")
    settings = source.settings.model_copy(
        update={"database_url": f"sqlite:///{into.resolve().as_posix()}", "data_dir": into.parent}
    )
    return bootstrap(settings)


async def build_views(target: System) -> Projections:
    """Build every view over ``target``'s events, to its head; the caller stops them."""
    projections = await start_projections(target, start=False)
    try:
        await projections.runner.catch_up()
    except BaseException:
        await projections.stop()
        raise
    return projections


async def replay(
    source: System, as_of: AsOf, into: Path, *, signer: Signer | None = None
) -> tuple[Replayed, System, Projections]:
    """Replay ``source``'s log up to ``as_of`` into a new SQLite file ``into``.

    Integrates first when the log lags behind the event store and ``signer`` is given.

    Returns:
        What was replayed, the replay's system and its built views (the caller closes
        both: ``await projections.stop()`` then ``system.close()``).

    Raises:
        ReplayError: The cut-off cannot be served, or ``into`` exists.
    """
    storage = open_storage(source.target, source.app)
    try:
        storage.create_tables()
        kept = node_last_checkpoint(source.settings) if signer is not None else None
        integrate_if_behind(
            source.app, storage, signer, origin=source.settings.origin, last_checkpoint=kept
        )
        cut_off = find_cut_off(storage, as_of)
        size = storage.position().size
    finally:
        storage.close()
    target = replay_database(source, into)
    try:
        events = copy_events(source.app, target.app, cut_off.notification_id)
        projections = await build_views(target)
    except BaseException:
        target.close()
        raise
    return Replayed(cut_off, as_of, events, into, size), target, projections
