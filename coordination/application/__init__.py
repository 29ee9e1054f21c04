"""The application: the use cases, one class per group of them, over one unit of work.

`Coordination` composes them flat: each is a `CommandRunner` (`unit_of_work`) with the
use cases of one aggregate (`partnership`, `working_groups`, `actions`, the packages
`decisions` and `workshops`), and nothing else stands between them.
"""

from coordination.application.actions import ActionUseCases
from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.cooperation import CooperationUseCases
from coordination.application.decisions import ProposalUseCases, VotingUseCases
from coordination.application.partnership import PartnershipUseCases
from coordination.application.working_groups import WorkingGroupUseCases
from coordination.application.workshops import MeetingUseCases, WorkshopPlanningUseCases


class Coordination(
    PartnershipUseCases,
    WorkingGroupUseCases,
    ActionUseCases,
    ProposalUseCases,
    VotingUseCases,
    WorkshopPlanningUseCases,
    MeetingUseCases,
    CooperationUseCases,
):
    """Every use case of B1-B4 and B8's partner registry, one method each, on the event
    store's application."""


__all__ = ["NO_OPTIONS", "CommandOptions", "CommandResult", "Coordination", "Outcome"]
