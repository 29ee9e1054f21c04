"""Use cases of B10 on a person: forgetting them (crypto-shredding)."""

from __future__ import annotations

from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.data_subject import DataSubject
from coordination.domain.errors import NotFound, RuleViolation
from coordination.privacy.keys import KeyState


class DataSubjectUseCases(CommandRunner):
    """Forgetting a person."""

    def erase_subject(
        self,
        ctx: Context,
        subject_id: UUID,
        *,
        ground: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Destroy the person's key and record `SubjectErased`; their id is `created_id`.

        The key goes first: a forgetting that stops half-way has still forgotten, and
        running it again records it (the key's tombstone says the person was known).

        Raises:
            NotFound: The node never held personal data about the person.
            RuleViolation: The person is already forgotten.
        """

        def handle() -> Outcome:
            try:
                self.load(DataSubject, subject_id)
            except NotFound:
                pass
            else:
                raise RuleViolation(f"person {subject_id} has already been erased")
            if self.subject_keys.state(subject_id) is KeyState.UNKNOWN:
                raise NotFound(f"the node holds no personal data about person {subject_id}")
            erased = DataSubject.erase(ctx, subject_id, ground=ground)
            self.subject_keys.erase(subject_id)
            return Outcome(erased, created_id=subject_id)

        return self._run(
            ctx, "erase_subject", handle, options, subject_id=subject_id, ground=ground
        )
