"""What the joint-group tests share: a partner's position as its node records it, stored
in this node's synced logs as the sync stores a verified page."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from coordination.audit.compact_range import CompactRange
from coordination.audit.envelope import encode_entry
from coordination.audit.merkle import leaf_hash
from coordination.domain.context import Context
from coordination.domain.joint_group import JointGroup, JointPosition
from coordination.federation.synced_logs import SyncedEntry, SyncedLogs

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def synced_position(
    synced: SyncedLogs,
    origin: str,
    *,
    group: UUID,
    lead: str,
    tamper: bool = False,
) -> tuple[str, str, str]:
    """`origin`'s position on `group`, synced after one stub (so it lies at index 1); its
    (origin, event id, leaf hash). `tamper` stores other bytes than the leaf hash's."""
    taken = JointPosition.take(
        Context(actor="secretariat", origin=origin, occurred_at=NOW),
        group_id=group,
        lead_origin=lead,
        member_origins=None,
        position="agree",
        reason=None,
    )
    (event,) = taken.collect_events()
    event_id = str(event.event_id)  # type: ignore[attr-defined]
    body = encode_entry(event, index=1, origin=origin)
    stored = body.replace(b'"agree"', b'"block"') if tamper else body
    entries = [
        SyncedEntry(origin, 0, leaf_hash(b'{"stub":true}'), None),
        SyncedEntry(origin, 1, leaf_hash(body), stored),
    ]
    after = CompactRange().extended(e.leaf_hash for e in entries)
    synced.verified_checkpoint(origin, 2, after.root(), f"{origin}\n2\n")
    assert synced.store_page(origin, entries, [None, event_id], after)
    return (origin, event_id, leaf_hash(body).hex())


def synced_group(synced: SyncedLogs, lead: str, *, name: str, members: list[str]) -> UUID:
    """A joint group `lead` established with `members`, synced as the only entry of the
    lead's log here; its id."""
    group = JointGroup.establish(
        Context(actor="secretariat", origin=lead, occurred_at=NOW),
        group_name=name,
        topic="social_accounting",
        purpose="One method",
        partners=members,
    )
    (event,) = group.collect_events()
    body = encode_entry(event, index=0, origin=lead)
    entries = [SyncedEntry(lead, 0, leaf_hash(body), body)]
    after = CompactRange().extended(e.leaf_hash for e in entries)
    synced.verified_checkpoint(lead, 1, after.root(), f"{lead}\n1\n")
    event_id = str(event.event_id)  # type: ignore[attr-defined]
    assert synced.store_page(lead, entries, [event_id], after, subjects=[str(group.id)])
    return group.id
