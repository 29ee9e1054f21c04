"""Queries over the evidence documents: by partnership, kind, retention class or the
stream whose events they are evidence of, each with its links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import DEFAULT_FIRST, Page, Query, paginate
from coordination.projections.tables import parse_uuid, to_moment

#: The most links read per document (a document is evidence of a handful of events).
LINKS_MAX = 1000


@dataclass(frozen=True)
class EvidenceView:
    """One event a document is evidence of."""

    event_id: UUID
    stream_id: UUID
    stream_version: int
    event_type: str
    linked_at: datetime


@dataclass(frozen=True)
class DocumentView:
    id: UUID
    partnership_id: UUID
    document_hash: str
    kind: str
    retention: str
    title: str
    registered_at: datetime


def _document(r: Row) -> DocumentView:
    registered = to_moment(r["registered_at"])
    assert registered is not None
    return DocumentView(
        id=parse_uuid(r["document_id"]),
        partnership_id=parse_uuid(r["partnership_id"]),
        document_hash=r["document_hash"],
        kind=r["kind"],
        retention=r["retention"],
        title=r["title"],
        registered_at=registered,
    )


def _evidence(r: Row) -> EvidenceView:
    linked = to_moment(r["linked_at"])
    assert linked is not None
    return EvidenceView(
        event_id=parse_uuid(r["event_id"]),
        stream_id=parse_uuid(r["stream_id"]),
        stream_version=int(r["stream_version"]),
        event_type=r["event_type"],
        linked_at=linked,
    )


async def list_documents(
    db: ReadDatabase,
    *,
    partnership_id: UUID | None = None,
    kind: str | None = None,
    retention: str | None = None,
    evidence_of_stream: UUID | None = None,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> Page[DocumentView]:
    """Documents by the time registered, filtered."""
    q = Query("SELECT d.*, {keys} FROM rv_documents d")
    if partnership_id is not None:
        q.where("d.partnership_id = {}", str(partnership_id))
    if kind is not None:
        q.where("d.kind = {}", kind)
    if retention is not None:
        q.where("d.retention = {}", retention)
    if evidence_of_stream is not None:
        q.where(
            "EXISTS (SELECT 1 FROM rv_document_evidence e"
            " WHERE e.document_id = d.document_id AND e.stream_id = {})",
            str(evidence_of_stream),
        )
    return await paginate(
        db,
        db.cursor_key,
        "documents",
        q,
        ("d.registered_at", "d.document_id"),
        _document,
        first=first,
        after=after,
    )


async def get_document(db: ReadDatabase, document_id: UUID) -> DocumentView | None:
    row = await db.fetchrow("SELECT * FROM rv_documents WHERE document_id = $1", str(document_id))
    return _document(row) if row else None


async def evidence_of(
    db: ReadDatabase, document_ids: Sequence[UUID]
) -> dict[UUID, list[EvidenceView]]:
    """The events each document is evidence of, in the order they were linked; one read."""
    found: dict[UUID, list[EvidenceView]] = {document: [] for document in document_ids}
    if not document_ids:
        return found
    marks = ", ".join(f"${n}" for n in range(1, len(document_ids) + 1))
    rows = await db.fetch(
        "SELECT * FROM rv_document_evidence"  # noqa: S608
        f" WHERE document_id IN ({marks}) ORDER BY document_id, seq, event_id"
        f" LIMIT {LINKS_MAX * len(document_ids)}",
        *(str(document) for document in document_ids),
    )
    for r in rows:
        found[parse_uuid(r["document_id"])].append(_evidence(r))
    return found
