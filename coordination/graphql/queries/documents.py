"""Queries over the evidence documents (B10).

A document's registration and links are events of the partnership's audience, so those
who read the partnership's business read them (the secretariat, auditors, and
representatives and convenors whose mandate holds), as they read the audit events that
record them; anonymous callers are refused.
"""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import DocumentKind, RetentionClass
from coordination.graphql.relay import DEFAULT_PAGE, Connection, check_first, connection, fetch_page
from coordination.graphql.types.document import Document
from coordination.projections.queries import documents

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class DocumentQueries:
    @strawberry.field(
        description="Evidence documents by the time registered: by partnership, kind,"
        " retention class, or the stream whose events they are evidence of.",
        metadata=READS_VIEWS,
    )
    async def documents(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        kind: DocumentKind | None = None,
        retention: RetentionClass | None = None,
        evidence_of_stream: UUID | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Document] | None:
        await info.context.visibility.require_partnership("evidence documents")
        check_first(first)
        page = await fetch_page(
            lambda: documents.list_documents(
                info.context.services.db,
                partnership_id=partnership_id,
                kind=kind.value if kind else None,
                retention=retention.value if retention else None,
                evidence_of_stream=evidence_of_stream,
                first=first,
                after=after,
            )
        )
        return connection(page, Document.from_row)

    @strawberry.field(description="One evidence document by its id.", metadata=READS_VIEWS)
    async def document(self, info: Info, uuid: UUID) -> Document | None:
        await info.context.visibility.require_partnership("evidence documents")
        row = await documents.get_document(info.context.services.db, uuid)
        return Document.from_row(row) if row else None
