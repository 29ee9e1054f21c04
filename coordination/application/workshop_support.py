"""What the workshop use cases share: loading a workshop and its organising groups.

The workshop stream knows nothing of the partnership's themes and members or of the
working groups, so each use case loads those to check its cross-stream rules first, and
only then runs the workshop's command. A follow-up is the one use case that writes two
streams: the workshop's FollowUpRaised and the new action are saved in one transaction.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application.service import Service
from coordination.domain.errors import RuleViolation
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop


class WorkshopSupport(Service):
    """Reads and cross-stream checks shared by the workshop use cases."""

    def workshop(self, workshop_id: UUID) -> Workshop:
        """The workshop's current state (for checks, other use cases and tests)."""
        return self._load(Workshop, workshop_id)

    def _group_of(self, partnership_id: UUID, group_id: UUID) -> WorkingGroup:
        """An open working group of the partnership, or a refusal saying why not."""
        group = self._load(WorkingGroup, group_id)
        if group.partnership_id != partnership_id:
            raise RuleViolation(f"the working group '{group.name}' belongs to another partnership")
        group.ensure_open()
        return group
