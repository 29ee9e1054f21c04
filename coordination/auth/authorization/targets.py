"""What a command touches, for the checks that depend on it.

Every mutation names its target: at least the partnership it is in, where the mandate of
an organisation its token claims is checked; and the organisations and working groups
the grants of the matrix look at. A function that loads a stream takes the partnership
from it, never from the input, and loads it in the command's unit of work, so the
command's save holds that read to its version too; a missing stream raises NotFound,
which the caller sees as a payload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from uuid import UUID

from coordination.application.unit_of_work import CommandRunner
from coordination.domain.action import Action
from coordination.domain.cohort import Cohort
from coordination.domain.decision import Decision
from coordination.domain.decision_rules import ForumKind
from coordination.domain.errors import NotFound
from coordination.domain.programme import Programme
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop


@dataclass(frozen=True)
class Target:
    """What a command touches, as far as authorization cares.

    Attributes:
        orgs: The organisations it concerns (an action's owner, a registration's).
        groups: The working groups it concerns (a decision's forum, the organisers).
        partnership: The partnership it is in, where the caller's mandate is checked;
            None only for a command in no partnership yet (establishing one).
        proxies_of: For a position, the decision whose proxies stand in for a mandate.
    """

    orgs: frozenset[UUID] = field(default_factory=frozenset)
    groups: frozenset[UUID] = field(default_factory=frozenset)
    partnership: UUID | None = None
    proxies_of: UUID | None = None


#: A command's target, resolved in the unit of work the command runs in.
TargetOf = Callable[[CommandRunner], Target]


def new_partnership() -> TargetOf:
    """Establishing a partnership: it is in none yet, so nobody does it for an organisation."""
    return lambda _runner: Target()


def cooperation() -> TargetOf:
    """The node's cooperation agreement and partner registry (B8): no member organisation's
    business, so no mandate is checked; the matrix keeps it to the secretariat."""
    return lambda _runner: Target()


def joint_groups() -> TargetOf:
    """The node's joint working groups with its partners (B8): the partnership's business
    as a whole, not a member organisation's; the matrix keeps it to the secretariat."""
    return lambda _runner: Target()


def partnership(partnership_id: UUID) -> TargetOf:
    """A command on the partnership named in the input, or creating a stream in it."""
    return lambda _runner: Target(partnership=partnership_id)


def in_groups(partnership_id: UUID, group_ids: Iterable[UUID | None]) -> TargetOf:
    """A stream created in the partnership named in the input, for these working groups."""
    groups = frozenset(group for group in group_ids if group is not None)
    return lambda _runner: Target(groups=groups, partnership=partnership_id)


def group(group_id: UUID) -> TargetOf:
    """A working group named in the input."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(WorkingGroup, group_id)
        return Target(groups=frozenset({group_id}), partnership=found.partnership_id)

    return resolve


def decision(decision_id: UUID) -> TargetOf:
    """The decision's forum (when a working group) and the organisation that tabled it."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Decision, decision_id)
        groups = {found.forum_id} if found.forum_kind is ForumKind.WORKING_GROUP else set()
        orgs = {found.proposer_id} if found.proposer_id is not None else set()
        return Target(
            orgs=frozenset(orgs), groups=frozenset(groups), partnership=found.partnership_id
        )

    return resolve


def position(decision_id: UUID) -> TargetOf:
    """A decision a position is taken on: the proxies granted on it count as mandates."""
    of_decision = decision(decision_id)
    return lambda runner: replace(of_decision(runner), proxies_of=decision_id)


def forum(partnership_id: UUID, forum_kind: str, forum_id: UUID) -> TargetOf:
    """A forum named in the input: a working group counts, the partnership does not."""
    groups = [forum_id] if forum_kind == ForumKind.WORKING_GROUP.value else []
    return in_groups(partnership_id, groups)


def workshop(workshop_id: UUID) -> TargetOf:
    """The working groups organising the workshop."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Workshop, workshop_id)
        return Target(groups=frozenset(found.organiser_group_ids), partnership=found.partnership_id)

    return resolve


def registering(workshop_id: UUID, organisation_id: UUID) -> TargetOf:
    """A registration to be made for an organisation, and the workshop's organisers."""
    organisers = workshop(workshop_id)
    return lambda runner: replace(organisers(runner), orgs=frozenset({organisation_id}))


def registration(workshop_id: UUID, registration_id: UUID) -> TargetOf:
    """The registration's organisation and the groups organising its workshop."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Workshop, workshop_id)
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

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Action, action_id)
        groups = {found.group_id} if found.group_id is not None else set()
        return Target(
            orgs=frozenset({found.owner_id}),
            groups=frozenset(groups),
            partnership=found.partnership_id,
        )

    return resolve


def programme(programme_id: UUID) -> TargetOf:
    """The organisation providing the programme."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Programme, programme_id)
        return Target(orgs=frozenset({found.provider_id}), partnership=found.partnership_id)

    return resolve


def cohort(cohort_id: UUID) -> TargetOf:
    """The organisation providing the cohort's programme."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Cohort, cohort_id)
        return Target(orgs=frozenset({found.provider_id}), partnership=found.partnership_id)

    return resolve


def about_a_person() -> TargetOf:
    """A command about a person, in no partnership (forgetting them): the secretariat's."""
    return lambda _runner: Target()
