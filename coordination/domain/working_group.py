"""B2. The working group: a forum of member organisations around one theme.

Its members are organisations, not persons: a person takes part as a representative of a
member organisation, and the convenor is such a representative. The charter says what
the group is for, what is decided here and by which rule by default. A closed group
accepts nothing more, so its history stays exactly as it was when it closed.

Cross-stream rules (the theme is active, the organisation is a current member of the
partnership, the actor represents it) need the partnership and are checked by the
application before these commands run. The group lists the proposals tabled in it, so
that closing it settles each one still open (the application withdraws them in the same
save) and a proposal tabled while it closes is refused, not left open in a closed group.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import RuleViolation
from coordination.domain.values import (
    NAME_MAX,
    TEXT_MAX,
    Audience,
    DecisionRule,
    choice,
    forum_audience,
    text,
)
from coordination.domain.values import name as checked_name


class WorkingGroup(CoordinationAggregate):
    """A working group of the partnership."""

    TOPIC = "coordination.working_group"
    KIND = "working group"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Convened(CoordinationAggregate.Created):
        """WorkingGroupConvened: the group exists, with its theme and charter."""

        TOPIC = "coordination.working_group.convened"
        partnership_id: UUID
        theme_id: UUID
        name: str
        purpose: str
        decides: str
        default_rule: str

        def apply(self, g: WorkingGroup) -> None:
            g.partnership_id, g.theme_id, g.name = self.partnership_id, self.theme_id, self.name
            g.purpose, g.decides, g.default_rule = self.purpose, self.decides, self.default_rule

    class MemberJoinedGroup(CoordinationAggregate.Event):
        TOPIC = "coordination.working_group.member_joined_group"
        member_id: UUID

        def apply(self, g: WorkingGroup) -> None:
            g.members.add(self.member_id)

    class MemberLeftGroup(CoordinationAggregate.Event):
        """The organisation left; when its representative convened, the group has none now."""

        TOPIC = "coordination.working_group.member_left_group"
        member_id: UUID
        convenor_vacated: bool

        def apply(self, g: WorkingGroup) -> None:
            g.members.discard(self.member_id)
            if self.convenor_vacated:
                g.convenor = g.convenor_org = None

    class ConvenorAppointed(CoordinationAggregate.Event):
        TOPIC = "coordination.working_group.convenor_appointed"
        person_id: UUID
        member_id: UUID

        def apply(self, g: WorkingGroup) -> None:
            g.convenor, g.convenor_org = self.person_id, self.member_id

    class CharterRevised(CoordinationAggregate.Event):
        TOPIC = "coordination.working_group.charter_revised"
        purpose: str
        decides: str
        default_rule: str

        def apply(self, g: WorkingGroup) -> None:
            g.purpose, g.decides, g.default_rule = self.purpose, self.decides, self.default_rule

    class ProposalReceived(CoordinationAggregate.Event):
        """A proposal was tabled in the group: closing the group settles it if still open."""

        TOPIC = "coordination.working_group.proposal_received"
        decision_id: UUID

        def apply(self, g: WorkingGroup) -> None:
            g.proposals.append(self.decision_id)

    class Closed(CoordinationAggregate.Event):
        """WorkingGroupClosed."""

        TOPIC = "coordination.working_group.closed"
        reason: str

        def apply(self, g: WorkingGroup) -> None:
            g.closed, g.close_reason = True, self.reason

    def __init__(self) -> None:
        self.partnership_id = self.theme_id = UUID(int=0)
        self.name = self.purpose = self.decides = ""
        self.default_rule = DecisionRule.CONSENSUS.value
        self.members: set[UUID] = set()
        self.convenor: UUID | None = None
        self.convenor_org: UUID | None = None
        self.proposals: list[UUID] = []
        self.closed = False
        self.close_reason: str | None = None

    def audience(self) -> str:
        """What happens inside the group is for its forum; its charter is for the partnership."""
        return forum_audience(self.id)

    # -- commands ---------------------------------------------------------------

    @classmethod
    def convene(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        theme_id: UUID,
        name: str,
        purpose: str,
        decides: str,
        default_rule: str,
    ) -> WorkingGroup:
        """Convene a group on a theme the application has checked is active."""
        charter = _charter(purpose=purpose, decides=decides, default_rule=default_rule)
        return cls.start(
            cls.Convened,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            theme_id=theme_id,
            name=checked_name(name, "name", max_length=NAME_MAX),
            **charter,
        )

    def join(self, ctx: Context, *, member_id: UUID) -> None:
        """Add a member organisation (the application checked it is a current member)."""
        self.ensure_open()
        if member_id in self.members:
            raise RuleViolation(
                f"organisation {member_id} is already a member of the working group '{self.name}'"
            )
        self.record(self.MemberJoinedGroup, ctx, member_id=member_id)

    def leave(self, ctx: Context, *, member_id: UUID) -> None:
        """Remove a member organisation; its representative stops convening, if they did."""
        self.ensure_open()
        self.ensure_member(member_id)
        self.record(
            self.MemberLeftGroup,
            ctx,
            member_id=member_id,
            convenor_vacated=self.convenor_org == member_id,
        )

    def appoint_convenor(self, ctx: Context, *, person_id: UUID, member_id: UUID) -> None:
        """Appoint a representative (checked by the application) of a member as convenor."""
        self.ensure_open()
        self.ensure_member(member_id)
        if (self.convenor, self.convenor_org) == (person_id, member_id):
            raise RuleViolation(
                f"person {person_id} already convenes the working group '{self.name}'"
            )
        self.record(self.ConvenorAppointed, ctx, person_id=person_id, member_id=member_id)

    def revise_charter(
        self, ctx: Context, *, purpose: str, decides: str, default_rule: str
    ) -> None:
        """Replace the charter; a revision that changes nothing is refused."""
        self.ensure_open()
        charter = _charter(purpose=purpose, decides=decides, default_rule=default_rule)
        if charter == _charter(
            purpose=self.purpose, decides=self.decides, default_rule=self.default_rule
        ):
            raise RuleViolation(
                f"the revised charter of '{self.name}' is identical to the one in force"
            )
        self.record(self.CharterRevised, ctx, audience=Audience.PARTNERSHIP.value, **charter)

    def receive_proposal(self, ctx: Context, *, decision_id: UUID) -> None:
        """List a proposal tabled in the group (the application saves both together)."""
        self.ensure_open()
        self.record(self.ProposalReceived, ctx, decision_id=decision_id)

    def close(self, ctx: Context, *, reason: str) -> None:
        """Close the group for good; the application settles its open proposals with it."""
        self.ensure_open()
        self.record(
            self.Closed,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            reason=text(reason, "reason", max_length=TEXT_MAX),
        )

    # -- queries used by other aggregates' commands -------------------------------

    def ensure_open(self) -> None:
        """Refuse anything more once the group is closed."""
        if self.closed:
            raise RuleViolation(
                f"the working group '{self.name}' is closed: it accepts nothing more"
            )

    def ensure_member(self, org_id: UUID) -> None:
        """Refuse an organisation that is not (or no longer) a member of the group."""
        if org_id not in self.members:
            raise RuleViolation(
                f"organisation {org_id} is not a member of the working group '{self.name}'"
            )


def _charter(*, purpose: str, decides: str, default_rule: str) -> dict[str, Any]:
    """The checked fields of a charter, as its events record them."""
    return {
        "purpose": text(purpose, "purpose", max_length=TEXT_MAX),
        "decides": text(decides, "decides", max_length=TEXT_MAX),
        "default_rule": choice(default_rule, DecisionRule, "default_rule").value,
    }
