"""What the commands of the partnership's reporting touch: social-accounting cycles,
mapping surveys, dissemination activities and evidence documents (B6, B7, B9, B10).

As in `targets`, a function that loads a stream takes the partnership from it, never
from the input, in the command's unit of work.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application.unit_of_work import CommandRunner
from coordination.auth.authorization.targets import Target, TargetOf
from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.dissemination import Dissemination
from coordination.domain.document import Document
from coordination.domain.mapping_survey import MappingSurvey


def for_organisation(partnership_id: UUID, organisation_id: UUID) -> TargetOf:
    """A stream to be created in the partnership for one of its organisations."""
    return lambda _runner: Target(orgs=frozenset({organisation_id}), partnership=partnership_id)


def accounting_cycle(cycle_id: UUID) -> TargetOf:
    """The organisation whose cycle it is."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(AccountingCycle, cycle_id)
        return Target(orgs=frozenset({found.organisation_id}), partnership=found.partnership_id)

    return resolve


def survey(survey_id: UUID) -> TargetOf:
    """A mapping survey: the partnership it belongs to."""

    def resolve(runner: CommandRunner) -> Target:
        return Target(partnership=runner.load(MappingSurvey, survey_id).partnership_id)

    return resolve


def respondent(survey_id: UUID, respondent_id: UUID) -> TargetOf:
    """A response: the member organisation invited as that respondent, if it is one."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(MappingSurvey, survey_id)
        invited = found.respondents.get(respondent_id)
        member = invited.member_id if invited is not None else None
        orgs = frozenset({member}) if member is not None else frozenset[UUID]()
        return Target(orgs=orgs, partnership=found.partnership_id)

    return resolve


def dissemination(dissemination_id: UUID, organisation_id: UUID | None = None) -> TargetOf:
    """The organisation responsible for the activity, and the one an outcome names."""

    def resolve(runner: CommandRunner) -> Target:
        found = runner.load(Dissemination, dissemination_id)
        orgs = {found.responsible_id} | ({organisation_id} if organisation_id else set())
        return Target(orgs=frozenset(orgs), partnership=found.partnership_id)

    return resolve


def document(document_id: UUID) -> TargetOf:
    """A registered document: the partnership it is registered in."""

    def resolve(runner: CommandRunner) -> Target:
        return Target(partnership=runner.load(Document, document_id).partnership_id)

    return resolve
