"""Use cases of B4: workshops and meetings.

The workshop stream knows nothing of the partnership's themes and members or of the
working groups, so each use case loads those to check its cross-stream rules first, and
only then runs the workshop's command. A follow-up is the one use case that writes two
streams: the workshop's FollowUpRaised and the new action are saved in one transaction.
"""

from coordination.application.workshops.meetings import MeetingUseCases
from coordination.application.workshops.planning import WorkshopPlanningUseCases

__all__ = ["MeetingUseCases", "WorkshopPlanningUseCases"]
