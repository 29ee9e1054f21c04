"""Mutation of B10 on a person: forgetting them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.enums import ErasureGround
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(
    description="Forget a person: their key is destroyed, so every datum sealed with it is"
    " unreadable everywhere, and `SubjectErased` is recorded (and sent to partners)."
)
class EraseSubjectInput(CommandInput):
    subject_id: UUID = strawberry.field(description="The person's pseudonymous id.")
    ground: ErasureGround


@strawberry.type(description="The person was forgotten; `createdId` is their id.")
class EraseSubjectPayload(CommandPayload):
    pass


EraseSubjectResult = Annotated[
    EraseSubjectPayload | CommandError, strawberry.union("EraseSubjectResult")
]


@strawberry.type
class DataSubjectMutations:
    @strawberry.mutation(description="Forget a person (the secretariat only).")
    async def erase_subject(self, info: Info, input: EraseSubjectInput) -> EraseSubjectResult:
        return await execute(
            info,
            "eraseSubject",
            input,
            lambda app, ctx, options: app.erase_subject(
                ctx, input.subject_id, ground=input.ground.value, options=options
            ),
            EraseSubjectPayload,
            targets.about_a_person(),
        )
