"""Joint working groups wired over the node's logs (issue 20, seams 1 and 2): the check of
a joint decision's positions, the merged joint-group view, and the feed's joint audiences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coordination.federation.joint_positions import LoggedPositions
from coordination.federation.log_sources import log_sources
from coordination.federation.synced_logs import SyncedLogs
from coordination.projections.joint_view import JointView
from coordination.projections.queries.joint_groups import joint_audiences

if TYPE_CHECKING:
    from coordination.audit.log import AuditLog
    from coordination.bootstrap import System
    from coordination.federation.callers import JointGroups
    from coordination.persistence.readdb import ReadDatabase


def wire_joint_groups(system: System, log: AuditLog, db: ReadDatabase) -> JointView:
    """Let the application verify listed positions in the node's logs, and build the
    merged view over them (runs in a worker thread: it may create the synced-log tables).
    """
    synced = SyncedLogs(log.storage)
    synced.create_tables()
    system.app.peer_positions = LoggedPositions(synced, log)
    return JointView(db, lambda: log_sources(synced, log))


def joint_groups_of(view: JointView) -> JointGroups:
    """The feed's `JointGroups`: the audiences of the groups a partner is a member of."""

    async def audiences(origin: str) -> frozenset[str]:
        return await joint_audiences(view, origin)

    return audiences
