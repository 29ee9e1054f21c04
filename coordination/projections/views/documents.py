"""Evidence documents (B10): each registered document by hash, kind and retention class,
and the events it is evidence of.

The node holds no document, only what was registered about it, so the view holds no
content either: a participant list is a hash here, never a name.
"""

from __future__ import annotations

from coordination.domain.document import Document
from coordination.projections.changes import Writer
from coordination.projections.tables import ID, INT, MOMENT, POSITION, TEXT, Table, occurred, uid
from coordination.projections.view import View

DOCUMENTS = Table(
    "documents",
    {
        "document_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "document_hash": TEXT,
        "kind": TEXT,
        "retention": TEXT,
        "title": TEXT,
        "registered_at": MOMENT,
    },
    key=("document_id",),
    indexes=(("partnership_id", "registered_at"),),
)
EVIDENCE = Table(
    "document_evidence",
    {
        "document_id": ID,
        "event_id": ID,
        "seq": POSITION,
        "stream_id": ID,
        "stream_version": INT,
        "event_type": TEXT,
        "linked_at": MOMENT,
    },
    key=("document_id", "event_id"),
    indexes=(("stream_id", "stream_version"),),
)


def _registered(e: Document.Registered, w: Writer) -> None:
    w.upsert(
        "documents",
        {"document_id": uid(e.originator_id)},
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        document_hash=e.document_hash,
        kind=e.kind,
        retention=e.retention,
        title=e.title,
        registered_at=occurred(e),
    )


def _linked(e: Document.EvidenceLinked, w: Writer) -> None:
    w.upsert(
        "document_evidence",
        {"document_id": uid(e.originator_id), "event_id": uid(e.linked_event_id)},
        seq=w.position,
        stream_id=uid(e.stream_id),
        stream_version=e.stream_version,
        event_type=e.event_type,
        linked_at=occurred(e),
    )


VIEW = View(
    name="documents",
    tables=(DOCUMENTS, EVIDENCE),
    handlers={
        Document.Registered.TOPIC: _registered,
        Document.EvidenceLinked.TOPIC: _linked,
    },
)
