"""The `Document` type: evidence registered by hash, and the events it is evidence of."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import DocumentKind, RetentionClass
from coordination.graphql.loaders import document_evidence
from coordination.projections.queries import documents as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="One event a document is evidence of.")
class EvidenceLink:
    event_id: UUID
    stream_id: UUID = strawberry.field(description="The stream the event belongs to.")
    stream_version: int
    event_type: str = strawberry.field(description="The event's type, as the catalogue names it.")
    linked_at: datetime

    @classmethod
    def from_row(cls, row: views.EvidenceView) -> EvidenceLink:
        return cls(
            event_id=row.event_id,
            stream_id=row.stream_id,
            stream_version=row.stream_version,
            event_type=row.event_type,
            linked_at=row.linked_at,
        )


@strawberry.type(
    description="A document registered as evidence: its SHA-256, never its content (B10)."
)
class Document:
    uuid: UUID
    partnership_id: UUID
    document_hash: str = strawberry.field(description="The document's SHA-256, hex.")
    kind: DocumentKind
    retention: RetentionClass
    title: str
    registered_at: datetime

    @strawberry.field(description="The events this document is evidence of, as linked.")
    async def evidence_of(self, info: Info) -> list[EvidenceLink]:
        rows = await document_evidence(info).load(self.uuid)
        return [EvidenceLink.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: views.DocumentView) -> Document:
        return cls(
            uuid=row.id,
            partnership_id=row.partnership_id,
            document_hash=row.document_hash,
            kind=DocumentKind(row.kind),
            retention=RetentionClass(row.retention),
            title=row.title,
            registered_at=row.registered_at,
        )
