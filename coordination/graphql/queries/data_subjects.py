"""The access request: everything the node holds about one person, decrypted."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from coordination.auth.principal import Role
from coordination.graphql.cacheability import READS_LIVE
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import forbidden
from coordination.privacy.access import subject_record

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class DataSubjectQueries:
    @strawberry.field(
        description="Everything the node holds about one person, their personal data"
        " opened (`{erased: true}` once forgotten), for an access request: the events that"
        " name them, in the log's order. The secretariat only.",
        metadata=READS_LIVE,
    )
    async def export_subject(self, info: Info, subject_id: UUID) -> JSON | None:
        context = info.context
        context.visibility.require_signed_in("a person's data")
        if context.principal.role is not Role.ADMIN:
            raise forbidden("only the secretariat answers an access request")
        app = context.services.app
        record: dict[str, Any] = await asyncio.to_thread(
            subject_record, app, app.subject_keys, subject_id
        )
        return JSON(record)
