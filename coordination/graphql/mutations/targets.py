"""What a command touches, for the checks that depend on it (run on the worker thread).

Every mutation names its target: at least the partnership it is in, where the mandate of
an organisation its token claims is checked; and the organisations and working groups
the grants of the policy look at. A function that loads a stream takes the partnership
from it, never from the input; a missing stream raises NotFound, which the caller sees
as a payload.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from uuid import UUID

from coordination.application import Coordination
from coordination.auth.policy import Target
from coordination.domain.decision_rules import ForumKind
from coordination.domain.errors import NotFound
from coordination.graphql.mutations.base import TargetOf


def new_partnership() -> TargetOf:
    """Establishing a partnership: it is in none yet, so nobody does it for an organisation."""
    return lambda _app: Target()


def partnership(partnership_id: UUID) -> TargetOf:
    """A command on the partnership named in the input, or creating a stream in it."""
    return lambda _app: Target(partnership=partnership_id)


def in_groups(partnership_id: UUID, group_ids: Iterable[UUID | None]) -> TargetOf:
    """A stream created in the partnership named in the input, for these working groups."""
    groups = frozenset(group for group in group_ids if group is not None)
    return lambda _app: Target(groups=groups, partnership=partnership_id)


def group(group_id: UUID) -> TargetOf:
    """A working group named in the input."""

    def resolve(app: Coordination) -> Target:
        found = app.working_group(group_id)
        return Target(groups=frozenset({group_id}), partnership=found.partnership_id)

    return resolve


def decision(decision_id: UUID) -> TargetOf:
    """The decision's forum (when a working group) and the organisation that tabled it."""

    def resolve(app: Coordination) -> Target:
        found = app.decision(decision_id)
        groups = {found.forum_id} if found.forum_kind is ForumKind.WORKING_GROUP else set()
        orgs = {found.proposer_id} if found.proposer_id is not None else set()
        return Target(
            orgs=frozenset(orgs), groups=frozenset(groups), partnership=found.partnership_id
        )

    return resolve


def position(decision_id: UUID) -> TargetOf:
    """A decision a position is taken on: the proxies granted on it count as mandates."""
    of_decision = decision(decision_id)
    return lambda app: replace(of_decision(app), proxies_of=decision_id)


def forum(partnership_id: UUID, forum_kind: str, forum_id: UUID) -> TargetOf:
    """A forum named in the input: a working group counts, the partnership does not."""
    groups = [forum_id] if forum_kind == ForumKind.WORKING_GROUP.value else []
    return in_groups(partnership_id, groups)


def workshop(workshop_id: UUID) -> TargetOf:
    """The working groups organising the workshop."""

    def resolve(app: Coordination) -> Target:
        found = app.workshop(workshop_id)
        return Target(groups=frozenset(found.organiser_group_ids), partnership=found.partnership_id)

    return resolve


def registering(workshop_id: UUID, organisation_id: UUID) -> TargetOf:
    """A registration to be made for an organisation, and the workshop's organisers."""
    organisers = workshop(workshop_id)
    return lambda app: replace(organisers(app), orgs=frozenset({organisation_id}))


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
