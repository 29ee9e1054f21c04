"""A replay node: the verified log up to a moment, its events in a fresh SQLite event
store of their own, with every view built over them (`coordination replay --as-of`).

The log comes from the node's own database (`replay`) or from an exported bundle with
nothing else (`replay_bundle`); either is verified entirely against its signed
checkpoint before anything of it is used (`coordination.audit.replay`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from coordination.audit.bundle_source import BundleSource
from coordination.audit.last_checkpoint import node_last_checkpoint
from coordination.audit.replay import (
    AsOf,
    CutOff,
    CutOffFinder,
    Replayed,
    ReplayError,
    copy_verified,
    integrate_if_behind,
)
from coordination.audit.storage import open_storage
from coordination.audit.storage_source import StorageSource
from coordination.audit.verified import verify_for_use
from coordination.audit.verify_sources import LogSource, SourceError
from coordination.bootstrap import System, bootstrap
from coordination.bootstrap.node import start_projections

if TYPE_CHECKING:
    from coordination.audit.note import Signer, Verifier
    from coordination.projections import Projections
    from coordination.settings import Settings

#: What a replay hands back: what was replayed, the replay's system and its built views
#: (the caller closes both: ``await projections.stop()`` then ``system.close()``).
Replay = tuple[Replayed, System, "Projections"]


def replay_database(settings: Settings, into: Path, *, origin: str) -> System:
    """A fresh SQLite event store at ``into``, with ``settings`` otherwise.

    Raises:
        ReplayError: ``into`` already exists (a replay never writes into old data).
    """
    if into.exists():
        raise ReplayError(f"{into} already exists: choose a new file for the replay")
    location = into.resolve().as_posix()
    changed = {"database_url": f"sqlite:///{location}", "data_dir": into.parent, "origin": origin}
    return bootstrap(settings.model_copy(update=changed))


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
    source: System,
    as_of: AsOf,
    into: Path,
    *,
    verifier: Verifier,
    signer: Signer | None = None,
) -> Replay:
    """Replay the log in ``source``'s database up to ``as_of`` into a new SQLite file.

    Integrates first when the log lags behind the event store and ``signer`` is given.

    Args:
        source: The node's write side (only read, and integrated).
        as_of: The cut-off.
        into: The new SQLite file.
        verifier: The node's verifier key, which its checkpoint must verify with.
        signer: The node's key, to integrate with first.

    Raises:
        ReplayError: The cut-off cannot be served, or ``into`` exists.
        LogNotVerified: The log does not verify (the message says where it breaks).
    """
    storage = open_storage(source.target, source.app)
    try:
        storage.create_tables()
        kept = node_last_checkpoint(source.settings) if signer is not None else None
        integrate_if_behind(
            source.app, storage, signer, origin=source.settings.origin, last_checkpoint=kept
        )
        log = StorageSource(storage, verifier.vkey)
        return await _replay(log, verifier, as_of, into, source.settings)
    finally:
        storage.close()


async def replay_bundle(
    directory: Path, as_of: AsOf, into: Path, settings: Settings, *, key: Verifier | None
) -> Replay:
    """Replay an exported bundle up to ``as_of`` into a new SQLite file, with nothing else.

    Args:
        directory: The bundle (unpacked).
        as_of: The cut-off.
        into: The new SQLite file.
        settings: Settings for the replay's store (its database is ``into``).
        key: The verifier key to trust; the bundle's own when None (``Replayed`` says so).

    Raises:
        ReplayError: The directory is not a bundle, the cut-off cannot be served, or
            ``into`` exists.
        LogNotVerified: The bundle does not verify (the message says where it breaks).
    """
    try:
        bundle = BundleSource(directory)
    except SourceError as error:
        raise ReplayError(str(error)) from None
    return await _replay(bundle, key, as_of, into, settings)


async def _replay(
    log: LogSource, key: Verifier | None, as_of: AsOf, into: Path, settings: Settings
) -> Replay:
    if into.exists():  # before the log is read through, not after
        raise ReplayError(f"{into} already exists: choose a new file for the replay")
    finder = CutOffFinder(as_of)
    verified = verify_for_use(log, key=key, on_entry=finder)
    index, _ = finder.cut_off(verified.size)
    report = verified.report
    target = replay_database(settings, into, origin=report.origin)
    try:
        cut: CutOff = copy_verified(verified, target.app, index)
        projections = await build_views(target)
    except BaseException:
        target.close()
        _remove(into)
        raise
    replayed = Replayed(
        cut,
        as_of,
        cut.index + 1,
        into,
        verified.size,
        source=log.description,
        root=report.root,
        key_from_source=report.key_from_source,
    )
    return replayed, target, projections


def _remove(database: Path) -> None:
    """Remove a replay's SQLite file that failed half-way, with its journal files."""
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
