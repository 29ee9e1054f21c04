"""Use cases of B3: decisions, from proposal to outcome.

The decision stream knows nothing of mandates, partnership membership, working groups or
workshops, so each use case loads those streams to check the cross-stream rules first
(`checks`): who acts for which organisation, who belongs to the forum (the electorate is
fixed at call time), whose proxy a person holds, and that a working group deciding is
still open: a closed group accepts nothing more, so every command on one of its
decisions is refused (closing it withdrew those still open). Only superseding is let
through: it is the act of the later decision's forum, and a closed group's decision must
stay replaceable. Tabling in a working group also lists the proposal in the group's
stream, and adopting a proposal that supersedes an earlier decision writes both
decisions, in one transaction.
"""

from coordination.application.decisions.proposals import ProposalUseCases
from coordination.application.decisions.voting import VotingUseCases

__all__ = ["ProposalUseCases", "VotingUseCases"]
