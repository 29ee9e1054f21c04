"""Use cases of B3: decisions, from proposal to outcome.

The decision stream knows nothing of mandates, partnership membership, working groups or
workshops, so each use case loads those streams to check the cross-stream rules first:
who acts for which organisation, who belongs to the forum (the electorate is fixed at
call time), whose proxy a person holds. Only decision streams are written here; adopting
a proposal that supersedes an earlier decision writes both in one transaction.
"""

from __future__ import annotations

from coordination.application.proposals import ProposalCommands
from coordination.application.voting import VotingCommands


class DecisionCommands(VotingCommands, ProposalCommands):
    """Every use case of B3, from proposal to outcome."""
