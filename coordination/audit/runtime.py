"""The log's moving parts in a node process: its log (for the feed) and its integrator,
which the composition root starts (`coordination.bootstrap.node.start_audit`) and stops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from anyio import to_thread

from coordination.observability import LogStatus, LogStatusSource

from .integrator import Integrator
from .log import AuditLog

if TYPE_CHECKING:
    from uuid import UUID

    from eventsourcing.application import Application


@dataclass
class AuditRuntime:
    """The node's log (for the feed) and its integrator, sharing storage and wake-ups."""

    log: AuditLog
    integrator: Integrator

    def close(self) -> None:
        """Stop the integrator, then the log's watcher and connections."""
        self.integrator.stop()
        self.log.close()


def log_status(log: AuditLog, app: Application[UUID]) -> LogStatusSource:
    """The log's progress for `/metrics`, read at scrape time. An integrator that died or
    fell behind, in whichever process it runs, shows as a growing lag.

    Args:
        log: The node's log.
        app: The application whose recorded events the log integrates.
    """

    def read() -> LogStatus:
        head = app.recorder.max_notification_id() or 0
        position = log.storage.position()
        checkpoint = log.storage.latest_checkpoint()
        return LogStatus(
            lag=max(head - position.notification_id, 0),
            entries=position.size,
            signed=checkpoint.size if checkpoint is not None else 0,
        )

    async def status() -> LogStatus:
        return await to_thread.run_sync(read)

    return status
