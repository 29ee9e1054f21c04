"""Whether a caller's claims hold on a day: one rule for acting for an organisation, one
for running a working group.

A token names the organisation its holder acts for and, for a convenor, the groups it
runs; it lives up to a year. The partnership's mandates and the group's appointment say
what is true on a given day. Commands apply these rules to the streams, reads to the
views built from the same events (docs/decisions/0022), so a claim counts for a read
exactly when it counts for a write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from coordination.domain.partnership import Mandate, Member


def holds_mandate(
    person_id: UUID, member_id: UUID, member: Member | None, mandates: Iterable[Mandate], on: date
) -> bool:
    """Whether the person acts for the organisation on `on` (B1: only a current
    representative acts for a member).

    Args:
        person_id: The actor.
        member_id: The organisation it claims to act for.
        member: That organisation as the partnership knows it (None: not a member).
        mandates: The partnership's mandates (any person's, any member's).
        on: The business date of the command, or the day of the read.

    Returns:
        True when the organisation is a current member and the person holds a mandate
        for it that covers the day (an ended or expired mandate does not).
    """
    if member is None or not member.is_current(on):
        return False
    return any(
        m.person_id == person_id and m.member_id == member_id and m.covers(on) for m in mandates
    )


def convenes(
    person_id: UUID,
    member_id: UUID,
    appointed: tuple[UUID | None, UUID | None],
    *,
    mandate_held: bool,
) -> bool:
    """Whether the person runs a working group for the organisation it acts for.

    Args:
        person_id: The actor.
        member_id: The organisation it acts for.
        appointed: The group's appointed convenor: (person, organisation), as its stream
            (or view) says; an appointment moves the role on, a withdrawal ends it.
        mandate_held: Whether `holds_mandate` holds for (person_id, member_id) that day.
    """
    return mandate_held and appointed == (person_id, member_id)
