"""The node's signed log as the GraphQL API reads it: entries by event, proofs, checkpoints.

The log's storage is synchronous, so every read runs in a worker thread. The entries of
a page of the audit trail are read in one batch per request (a DataLoader keyed by the
events' positions, which are the notification ids the log records).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from anyio import to_thread
from strawberry.dataloader import DataLoader

from coordination.graphql.errors import RequestError

if TYPE_CHECKING:
    from coordination.audit.log import AuditLog
    from coordination.audit.storage import LogEntry
    from coordination.graphql.context import GraphQLContext

_LOADER = "signed-log-entries"


def log_unavailable() -> RequestError:
    return RequestError("the signed log is not running on this node", "LOG_UNAVAILABLE")


def running_log(context: GraphQLContext) -> AuditLog:
    """The node's signed log, or the LOG_UNAVAILABLE error where it does not run."""
    audit_log = context.services.audit_log
    if audit_log is None:
        raise log_unavailable()
    return audit_log


def entry_loader(context: GraphQLContext) -> DataLoader[int, LogEntry | None]:
    """This request's batched lookup of log entries by event position (notification id)."""
    loader: DataLoader[int, LogEntry | None] | None = context.cache.get(_LOADER)
    if loader is None:
        audit_log = running_log(context)

        async def load(positions: Sequence[int]) -> list[LogEntry | None]:
            found = await to_thread.run_sync(audit_log.entries_for_notifications, positions)
            by_position = {entry.notification_id: entry for entry in found}
            return [by_position.get(position) for position in positions]

        loader = DataLoader(load_fn=load)
        context.cache[_LOADER] = loader
    return loader
