"""B10. A document registered as evidence: by its SHA-256, never by its content.

The node keeps no document, only its hash, kind and retention class, so minutes,
participant lists and invitations can be shown to an auditor as the programme's
evidence without their content (a participant list's names among it) entering the log.
A document is registered once per partnership (its stream id is derived from the
partnership and the hash) and linked to the events it is evidence of; a participant list
holds personal data, so it is never kept permanently.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid5

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.values import TITLE_MAX, Audience, choice, document_hash
from coordination.domain.values import name as checked_name

#: Namespace of documents' stream ids (uuid5 of the partnership and the document's hash).
DOCUMENT_NAMESPACE = UUID("6f1b0c52-3f0e-5d7a-9a61-2c7e7f0d4b10")


class DocumentKind(StrEnum):
    MINUTES = "minutes"
    PARTICIPANT_LIST = "participant_list"
    INVITATION = "invitation"
    AGREEMENT = "agreement"
    ACCOUNTS = "accounts"
    AUDIT_STATEMENT = "audit_statement"
    REPORT = "report"
    OTHER = "other"


class RetentionClass(StrEnum):
    """How long the document is kept: for the programme's audit, for good, or briefly."""

    PROGRAMME_AUDIT = "programme_audit"
    PERMANENT = "permanent"
    LIMITED = "limited"


def document_id(partnership_id: UUID, digest: str) -> UUID:
    """The stream id of the document with SHA-256 `digest` in the partnership."""
    return uuid5(DOCUMENT_NAMESPACE, f"{partnership_id}:{digest}")


class Document(CoordinationAggregate):
    """A registered document and the events it is evidence of."""

    TOPIC = "coordination.document"
    KIND = "document"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Registered(CoordinationAggregate.Created):
        """DocumentRegistered."""

        TOPIC = "coordination.document.registered"
        partnership_id: UUID
        document_hash: str
        kind: str
        retention: str
        title: str

        def apply(self, d: Document) -> None:
            d.partnership_id, d.document_hash, d.title = (
                self.partnership_id,
                self.document_hash,
                self.title,
            )

    class EvidenceLinked(CoordinationAggregate.Event):
        """The document is evidence of one event (by stream, version and event id)."""

        TOPIC = "coordination.document.evidence_linked"
        stream_id: UUID
        stream_version: int
        linked_event_id: UUID
        event_type: str

        def apply(self, d: Document) -> None:
            d.linked.add(self.linked_event_id)

    def __init__(self) -> None:
        self.partnership_id = UUID(int=0)
        self.document_hash = self.title = ""
        self.linked: set[UUID] = set()

    def audience(self) -> str:
        return Audience.PARTNERSHIP.value

    @classmethod
    def register(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        document_hash_hex: str,
        kind: str,
        retention: str,
        title: str,
    ) -> Document:
        """Register a document by hash (the application checked it is not registered yet)."""
        digest = document_hash(document_hash_hex)
        parsed_kind = choice(kind, DocumentKind, "kind")
        parsed_retention = choice(retention, RetentionClass, "retention")
        if (
            parsed_kind is DocumentKind.PARTICIPANT_LIST
            and parsed_retention is RetentionClass.PERMANENT
        ):
            raise InvalidInput(
                "must not be permanent for a participant list: it holds personal data, kept"
                " no longer than the programme's audit needs",
                field="retention",
            )
        return cls.start(
            cls.Registered,
            ctx,
            id=document_id(partnership_id, digest),
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            document_hash=digest,
            kind=parsed_kind.value,
            retention=parsed_retention.value,
            title=checked_name(title, "title", max_length=TITLE_MAX),
        )

    def link_evidence(
        self, ctx: Context, *, stream_id: UUID, stream_version: int, event_id: UUID, event_type: str
    ) -> None:
        """Link the document to an event the application found in the store, once."""
        if event_id in self.linked:
            raise RuleViolation(
                f"the document '{self.title}' is already evidence of event {event_id}"
            )
        self.record(
            self.EvidenceLinked,
            ctx,
            stream_id=stream_id,
            stream_version=stream_version,
            linked_event_id=event_id,
            event_type=event_type,
        )
