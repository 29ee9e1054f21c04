"""The application service: one method per use case, on the `eventsourcing` Application."""

from coordination.application.actions import ActionCommands
from coordination.application.authority import Authority
from coordination.application.decisions import DecisionCommands
from coordination.application.partnership import PartnershipCommands
from coordination.application.service import (
    NO_OPTIONS,
    CommandOptions,
    CommandResult,
    Outcome,
)
from coordination.application.working_groups import WorkingGroupCommands
from coordination.application.workshops import WorkshopCommands


class Coordination(
    DecisionCommands,
    WorkshopCommands,
    WorkingGroupCommands,
    ActionCommands,
    PartnershipCommands,
    Authority,
):
    """Every use case of B1-B4, composed from one mixin per aggregate, and the check of
    a caller's claims that runs before them."""


__all__ = ["NO_OPTIONS", "CommandOptions", "CommandResult", "Coordination", "Outcome"]
