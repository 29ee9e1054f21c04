"""The events this node synced from its partners, as the audit trail reads them.

The synced logs belong to the federation, which the API does not import: the
composition root hands the API a `PeerEntries` port over them. It answers only entries
that verified against the partner's signed checkpoint (below the verified size) and have
content: a stub, an entry this node may not see, is never one. Each entry is decoded
from its envelope (FEED-PROTOCOL §1) into a `PeerEvent`.

A partner serves this node only what its audience lets partners see (`public`,
`transnational`, the joint groups this node belongs to). An entry of any other audience
(the partner's own partnership, one of its working groups) was not meant for this node:
it is never shown, whoever asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from coordination.audit.merkle import leaf_hash
from coordination.domain.joint_parts import joint_group_of
from coordination.domain.values import Audience

#: The audiences a partner's entry may have to be shown here (FEED-PROTOCOL §5).
PARTNER_AUDIENCES = frozenset({Audience.PUBLIC.value, Audience.TRANSNATIONAL.value})


class PeerEntries(Protocol):
    """The verified, non-stub entries of the partners' synced logs (a read port)."""

    def origins(self) -> list[str]:
        """The partners' origins with a synced log, sorted (never this node's own)."""
        ...

    def entries(self, origin: str, start: int, limit: int) -> list[tuple[int, bytes]]:
        """Up to `limit` entries of `origin` with content, from index `start` on, below
        its verified size, in index order: index and the exact bytes stored. Stubs are
        skipped, so the indexes may have gaps."""
        ...


@dataclass(frozen=True)
class PeerEvent:
    """A partner's event as its envelope tells it.

    Attributes:
        origin: The partner's log.
        index: The entry's index in that log.
        leaf_hash: The entry's RFC 9162 leaf hash, computed from its stored bytes.
    """

    origin: str
    index: int
    leaf_hash: bytes
    event_id: UUID | None
    type: str
    stream_id: UUID
    version: int
    occurred_at: datetime | None
    recorded_at: datetime
    actor: str | None
    acting_for: UUID | None
    correlation_id: UUID | None
    causation_id: UUID | None
    audience: str
    data: dict[str, Any]

    @property
    def topic(self) -> str:
        """The event's type without its version, as filters name topics."""
        topic, _, version = self.type.rpartition(".v")
        return topic if topic and version.isdigit() else self.type


def shown_to_partners(audience: str) -> bool:
    """Whether a partner's entry of this audience is one partners are served."""
    return audience in PARTNER_AUDIENCES or joint_group_of(audience) is not None


def peer_event(origin: str, index: int, body: bytes) -> PeerEvent | None:
    """The event of a stored entry; None for bytes that are not an envelope of `origin`
    (the sync verified their hash, not their shape) or of an audience partners are not
    served."""
    try:
        envelope = json.loads(body)
        if not isinstance(envelope, dict) or envelope.get("source") != origin:
            return None
        audience = str(envelope["audience"])
        if not shown_to_partners(audience):
            return None
        data = envelope.get("data")
        return PeerEvent(
            origin=origin,
            index=index,
            leaf_hash=leaf_hash(body),
            event_id=_uuid(envelope.get("id")),
            type=str(envelope["type"]),
            stream_id=UUID(str(envelope["subject"])),
            version=int(envelope["streamversion"]),
            occurred_at=_moment(envelope.get("time")),
            recorded_at=datetime.fromisoformat(str(envelope["recordedtime"])),
            actor=_text(envelope.get("actor")),
            acting_for=_uuid(envelope.get("actingfor")),
            correlation_id=_uuid(envelope.get("correlationid")),
            causation_id=_uuid(envelope.get("causationid")),
            audience=audience,
            data=data if isinstance(data, dict) else {},
        )
    except (KeyError, TypeError, ValueError):
        return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _uuid(value: object) -> UUID | None:
    try:
        return None if value is None else UUID(str(value))
    except ValueError:
        return None


def _moment(value: object) -> datetime | None:
    try:
        return None if value is None else datetime.fromisoformat(str(value))
    except ValueError:
        return None
