"""The signed log's queries: the latest checkpoint and an event's inclusion proof.

Both are for the secretariat and auditors, like the audit trail. A proof is of the
entry's leaf in the tree of the latest signed checkpoint, or of a smaller tree the
caller names (the size of a checkpoint it already holds), so it verifies against a root
the caller trusts.
"""

from __future__ import annotations

from uuid import UUID

import strawberry
from anyio import to_thread

from coordination.audit._encoding import b64encode
from coordination.audit.log import AuditLog
from coordination.audit.storage import StoredCheckpoint
from coordination.graphql.cacheability import READS_LIVE
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import RequestError, bad_input
from coordination.graphql.signed_log import running_log
from coordination.graphql.types.signed_log import InclusionProof, LogCheckpoint

Info = strawberry.Info[GraphQLContext, None]


def _latest(audit_log: AuditLog) -> StoredCheckpoint:
    checkpoint = audit_log.latest_checkpoint()
    if checkpoint is None:
        raise RequestError("the log has no signed checkpoint yet", "NOT_INTEGRATED")
    return checkpoint


def prove(audit_log: AuditLog, event_id: UUID, size: int | None) -> InclusionProof:
    """The inclusion proof of `event_id`'s entry in the tree of `size` (default: latest)."""
    entry = audit_log.entry_for_event(event_id)
    if entry is None:
        if audit_log.latest_checkpoint() is None:
            raise RequestError("the log has no signed checkpoint yet", "NOT_INTEGRATED")
        # Unknown and not-yet-integrated look alike here: the log has no entry for it.
        raise RequestError(
            "the log has no entry for this event: it is unknown or not yet integrated",
            "NOT_FOUND",
        )
    latest = _latest(audit_log)
    tree_size = latest.size if size is None else size
    if entry.index >= latest.size:
        raise RequestError(
            "the event is integrated but no signed checkpoint covers it yet; try again shortly",
            "NOT_INTEGRATED",
        )
    if not entry.index < tree_size <= latest.size:
        raise bad_input(
            f"the tree size must be above the entry's index {entry.index}"
            f" and at most the checkpoint's size {latest.size}",
            "size",
        )
    # A checkpoint of exactly `tree_size`, when there is one, signs the root to check against.
    covering = audit_log.covering_checkpoint(tree_size)
    note = covering.note if covering is not None and covering.size == tree_size else latest.note
    return InclusionProof(
        event_id=event_id,
        log_index=entry.index,
        tree_size=tree_size,
        leaf_hash=b64encode(entry.leaf_hash),
        hashes=[b64encode(h) for h in audit_log.inclusion_proof(entry.index, tree_size)],
        checkpoint=note,
    )


def latest_checkpoint(audit_log: AuditLog) -> LogCheckpoint:
    """The latest signed checkpoint as the API shows it."""
    checkpoint = _latest(audit_log)
    return LogCheckpoint(
        origin=audit_log.origin,
        tree_size=checkpoint.size,
        root_hash=b64encode(checkpoint.root),
        note=checkpoint.note,
    )


@strawberry.type
class SignedLogQueries:
    @strawberry.field(
        description="The RFC 9162 inclusion proof of an event's log entry in the tree of the"
        " latest signed checkpoint, or of `size` (at most the checkpoint's). The `checkpoint`"
        " is the signed note of that size when one was signed, else the latest.",
        metadata=READS_LIVE,
    )
    async def inclusion_proof(
        self, info: Info, event_id: UUID, size: int | None = None
    ) -> InclusionProof | None:
        info.context.visibility.require_everything("the signed log")
        audit_log = running_log(info.context)
        return await to_thread.run_sync(prove, audit_log, event_id, size)

    @strawberry.field(
        description="The latest signed checkpoint of the node's log.", metadata=READS_LIVE
    )
    async def checkpoint(self, info: Info) -> LogCheckpoint | None:
        info.context.visibility.require_everything("the signed log")
        audit_log = running_log(info.context)
        return await to_thread.run_sync(latest_checkpoint, audit_log)
