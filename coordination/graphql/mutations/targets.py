"""What a command touches, for the grants that depend on it (run on the worker thread).

Each function loads the stream the command names and returns its organisations and
working groups; a missing stream raises NotFound, which the caller sees as a payload.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application import Coordination
from coordination.auth.policy import Target
from coordination.domain.decision_rules import ForumKind
from coordination.domain.errors import NotFound
from coordination.graphql.mutations.base import TargetOf


def group(group_id: UUID) -> TargetOf:
    """A working group named in the input."""
    return lambda _app: Target(groups=frozenset({group_id}))


def decision(decision_id: UUID) -> TargetOf:
    """The decision's forum (when a working group) and the organisation that tabled it."""

    def resolve(app: Coordination) -> Target:
        found = app.decision(decision_id)
        groups = {found.forum_id} if found.forum_kind is ForumKind.WORKING_GROUP else set()
        orgs = {found.proposer_id} if found.proposer_id is not None else set()
        return Target(orgs=frozenset(orgs), groups=frozenset(groups))

    return resolve


def workshop(workshop_id: UUID) -> TargetOf:
    """The working groups organising the workshop."""
    return lambda app: Target(groups=frozenset(app.workshop(workshop_id).organiser_group_ids))


def registration(workshop_id: UUID, registration_id: UUID) -> TargetOf:
    """The registration's organisation and the groups organising its workshop."""

    def resolve(app: Coordination) -> Target:
        found = app.workshop(workshop_id)
        entry = found.registrations.get(registration_id)
        if entry is None:
            raise NotFound(f"no registration with id {registration_id} for '{found.title}'")
        return Target(
            orgs=frozenset({entry.organisation_id}),
            groups=frozenset(found.organiser_group_ids),
            partnership=found.partnership_id,
        )

    return resolve


def action(action_id: UUID) -> TargetOf:
    """The organisation owning the action and the group it belongs to, if any."""

    def resolve(app: Coordination) -> Target:
        found = app.action(action_id)
        groups = {found.group_id} if found.group_id is not None else set()
        return Target(
            orgs=frozenset({found.owner_id}),
            groups=frozenset(groups),
            partnership=found.partnership_id,
        )

    return resolve


def forum(forum_kind: str, forum_id: UUID) -> TargetOf:
    """A forum named in the input: a working group counts, the partnership does not."""
    groups = {forum_id} if forum_kind == ForumKind.WORKING_GROUP.value else set()
    return lambda _app: Target(groups=frozenset(groups))
