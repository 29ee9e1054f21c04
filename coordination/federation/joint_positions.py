"""Where the lead of a joint group finds the positions its decision lists (issue 20, seam 2):
a partner's in the synced log of its origin, the node's own in its own log.

A position verifies when its entry holds the listed event, has the listed leaf hash, its
bytes hash to that leaf hash, and it lies below the checkpoint of that log the node
verified (a partner's) or signed (its own). Only such an entry's envelope is handed on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from coordination.audit.log import AuditLog
from coordination.audit.merkle import leaf_hash
from coordination.domain.joint_group import JointGroup
from coordination.domain.joint_parts import PositionNotFound, PositionRef, PositionUnverified

from .synced_logs import SyncedLogs


class LoggedPositions:
    """`PeerPositions` over the partners' synced logs and the node's own log.

    Args:
        synced: The partners' synced logs.
        own: The node's own log.
    """

    def __init__(self, synced: SyncedLogs, own: AuditLog) -> None:
        self.synced, self.own = synced, own

    def verified(self, ref: PositionRef) -> Mapping[str, Any]:
        """The envelope of the listed position, once it verified.

        Raises:
            PositionNotFound: The event is not in that log here.
            PositionUnverified: It is, but does not verify as listed.
        """
        event_id = str(ref.event_id)
        found: tuple[int, bytes, bytes | None] | None
        if ref.origin == self.own.origin:
            entry = self.own.storage.entry_for_event(event_id)
            checkpoint = self.own.storage.latest_checkpoint()
            found = None if entry is None else (entry.index, entry.leaf_hash, entry.entry)
            size, where = (0 if checkpoint is None else checkpoint.size), "this node's log"
        else:
            synced = self.synced.entry_by_event_id(ref.origin, event_id)
            found = None if synced is None else (synced.index, synced.leaf_hash, synced.envelope)
            size, where = self.synced.verified_size(ref.origin), f"the synced log of {ref.origin}"
        if found is None:
            raise PositionNotFound(
                f"the position {event_id} of {ref.origin} is not in {where}: is it recorded"
                " there, and synced?"
            )
        index, stored_leaf, body = found
        named = f"the position {event_id} of {ref.origin}"
        if stored_leaf.hex() != ref.leaf_hash:
            raise PositionUnverified(
                f"{named} has the leaf hash {stored_leaf.hex()} in {where}, not {ref.leaf_hash}"
            )
        if body is None or leaf_hash(body) != stored_leaf:
            raise PositionUnverified(f"{named}: its bytes in {where} do not hash to its leaf hash")
        if index >= size:
            raise PositionUnverified(
                f"{named} lies at index {index}, beyond the verified checkpoint of {where}"
                f" ({size} entries): wait for the next checkpoint"
            )
        try:
            envelope = json.loads(body)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            raise PositionUnverified(f"{named}: its entry in {where} is not a JSON envelope")
        return envelope

    def members_of(self, lead_origin: str, group_id: UUID) -> tuple[str, ...] | None:
        """The group's members (its lead first) as the lead's synced log establishes it,
        from an entry below the verified checkpoint whose bytes hash to its leaf hash."""
        size = self.synced.verified_size(lead_origin)
        for entry in self.synced.entries_of_stream(lead_origin, str(group_id)):
            body = entry.envelope
            if body is None or entry.index >= size or leaf_hash(body) != entry.leaf_hash:
                continue
            envelope = json.loads(body)
            if str(envelope.get("type", "")).rsplit(".v", 1)[0] != JointGroup.Established.TOPIC:
                continue
            data = envelope.get("data")
            members = data.get("members") if isinstance(data, dict) else None
            if isinstance(members, list) and all(isinstance(m, str) for m in members):
                return (lead_origin, *members)
        return None
