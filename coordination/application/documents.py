"""Use cases of B10's evidence: registering a document by hash and linking it to events.

A document is registered once per partnership: its stream id is derived from the
partnership and the hash, so a second registration finds the first. A link names an
event by its stream and version; the event is looked up in the store, so only an event
that exists is linked, by its own id and type.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.document import Document, document_id
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.partnership import Partnership
from coordination.domain.values import document_hash as checked_hash


class DocumentUseCases(CommandRunner):
    """Commands of B10 on documents."""

    def register_document(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        document_hash: str,
        kind: str,
        retention: str,
        title: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Register a document by its SHA-256, kind and retention class, once."""

        def handle() -> Outcome:
            self.load(Partnership, partnership_id)
            existing = document_id(partnership_id, checked_hash(document_hash))
            found: object
            try:
                found = self.repository.get(existing)
            except AggregateNotFoundError:
                found = None
            if isinstance(found, Document):
                raise RuleViolation(
                    f"this document is already registered, as '{found.title}' ({existing})"
                )
            document = Document.register(
                ctx,
                partnership_id=partnership_id,
                document_hash_hex=document_hash,
                kind=kind,
                retention=retention,
                title=title,
            )
            return Outcome(document, created_id=document.id)

        return self._run(
            ctx,
            "register_document",
            handle,
            options,
            partnership_id=partnership_id,
            document_hash=document_hash,
            kind=kind,
            retention=retention,
            title=title,
        )

    def link_evidence(
        self,
        ctx: Context,
        document_id: UUID,
        *,
        stream_id: UUID,
        stream_version: int,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Link the document to the event at `stream_version` of `stream_id`."""

        def handle() -> Outcome:
            document = self.load(Document, document_id, options)
            if isinstance(stream_version, bool) or stream_version < 1:
                raise InvalidInput("must be a version from 1", field="stream_version")
            found = list(self.events.get(stream_id, gt=stream_version - 1, lte=stream_version))
            if not found or not isinstance(found[0], CoordinationAggregate.Event):
                raise NotFound(f"no event at version {stream_version} of stream {stream_id}")
            event = found[0]
            document.link_evidence(
                ctx,
                stream_id=stream_id,
                stream_version=stream_version,
                event_id=event.event_id,
                event_type=getattr(type(event), "TOPIC", type(event).__qualname__),
            )
            return Outcome(document)

        return self._run(
            ctx,
            "link_evidence",
            handle,
            options,
            document_id=document_id,
            stream_id=stream_id,
            stream_version=stream_version,
        )

    def document(self, document_id: UUID) -> Document:
        """The document's current state (for checks and for tests)."""
        return self.load(Document, document_id)
