"""The application: the use cases, one class per group of them, over one unit of work.

`Coordination` composes them flat: each is a `CommandRunner` (`unit_of_work`) with the
use cases of one aggregate (`partnership`, `working_groups`, `actions`, `programmes`,
`cohorts`, `data_subjects`, `survey`, `dissemination`, `documents`, `cooperation`,
`joint_groups`, the packages `decisions`, `workshops` and `accounting`; `peer_logs`,
which the node's sync runs), and nothing else stands between them.
"""

from coordination.application.accounting import CycleAuditUseCases, CycleScopingUseCases
from coordination.application.actions import ActionUseCases
from coordination.application.cohorts import CohortUseCases
from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.cooperation import CooperationUseCases
from coordination.application.data_subjects import DataSubjectUseCases
from coordination.application.decisions import ProposalUseCases, VotingUseCases
from coordination.application.dissemination import DisseminationUseCases
from coordination.application.documents import DocumentUseCases
from coordination.application.joint_groups import JointGroupUseCases
from coordination.application.partnership import PartnershipUseCases
from coordination.application.peer_logs import PeerLogUseCases
from coordination.application.programmes import ProgrammeUseCases
from coordination.application.survey import SurveyUseCases
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
    ProgrammeUseCases,
    CohortUseCases,
    DataSubjectUseCases,
    CycleScopingUseCases,
    CycleAuditUseCases,
    SurveyUseCases,
    DisseminationUseCases,
    DocumentUseCases,
    CooperationUseCases,
    PeerLogUseCases,
    JointGroupUseCases,
):
    """Every use case of B1-B10, one method each, on the event store's application."""


__all__ = ["NO_OPTIONS", "CommandOptions", "CommandResult", "Coordination", "Outcome"]
