"""The log's moving parts in a node process: what the API's lifespan starts and stops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from coordination.observability import LogStatus, LogStatusSource

from .integrator import Integrator
from .keys import load_or_create_signer
from .log import AuditLog, open_audit_log

if TYPE_CHECKING:
    from coordination.bootstrap import System

    from .note import Signer


@dataclass
class AuditRuntime:
    """The node's log (for the feed) and its integrator, sharing storage and wake-ups."""

    log: AuditLog
    integrator: Integrator

    def close(self) -> None:
        """Stop the integrator, then the log's watcher and connections."""
        self.integrator.stop()
        self.log.close()


def start_audit(
    system: System, signer: Signer | None = None, *, integrate: bool = True
) -> AuditRuntime:
    """Open the log and start integrating (in a daemon thread) and watching for checkpoints.

    Every API process may call this: one of them leads the integration, the others stand
    by and take over if it dies; all of them serve the feed and wake long-polls.

    Args:
        system: The node's system.
        signer: The node's key; loaded from the settings when not given (and created
            first outside production, see ``load_or_create_signer``).
        integrate: Start the integrator thread (False: serve only).

    Raises:
        SigningKeyError: No usable signing key (run ``coordination keys init``).
    """
    signer = signer or load_or_create_signer(system.settings)
    origin = system.settings.origin
    log = open_audit_log(system.target, system.app, origin=origin, verifier=signer.verifier)
    integrator = Integrator(system.app, log.storage, signer, origin=origin, notifier=log.notifier)
    if integrate:
        integrator.start()
    log.start_watching()
    return AuditRuntime(log, integrator)


def log_status(log: AuditLog, system: System) -> LogStatusSource:
    """The log's progress for `/metrics`, read at scrape time. An integrator that died or
    fell behind, in whichever process it runs, shows as a growing lag."""

    def read() -> LogStatus:
        head = system.app.recorder.max_notification_id() or 0
        position = log.storage.position()
        checkpoint = log.storage.latest_checkpoint()
        return LogStatus(
            lag=max(head - position.notification_id, 0),
            entries=position.size,
            signed=checkpoint.size if checkpoint is not None else 0,
        )

    async def status() -> LogStatus:
        return await run_in_threadpool(read)

    return status


def audit_log_of_app(request: Request) -> AuditLog:
    """A ``get_log`` dependency for ``feed_router``: the log in ``app.state.audit``."""
    runtime: AuditRuntime = request.app.state.audit
    return runtime.log
