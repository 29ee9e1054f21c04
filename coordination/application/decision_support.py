"""What the decision use cases share: loading a decision, its forum and its voters.

The decision stream knows nothing of mandates, partnership membership, working groups or
workshops, so each use case loads those streams to check the cross-stream rules first:
who acts for which organisation, who belongs to the forum (the electorate is fixed at
call time), whose proxy a person holds, and that a working group deciding is still open:
a closed group accepts nothing more, so every command on one of its decisions is refused
(closing it withdrew those still open). Only superseding is let through: it is the act
of the later decision's forum, and a closed group's decision must stay replaceable.
Tabling in a working group also lists the proposal in the group's stream, and adopting a
proposal that supersedes an earlier decision writes both decisions, in one transaction.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application.service import CommandOptions, Service
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.decision_rules import ForumKind
from coordination.domain.errors import Forbidden, InvalidInput, NotFound
from coordination.domain.partnership import Partnership, person_of
from coordination.domain.values import choice
from coordination.domain.working_group import WorkingGroup


class DecisionSupport(Service):
    """Cross-stream checks of the decision use cases (one namespace: names are prefixed)."""

    def decision(self, decision_id: UUID) -> Decision:
        """The decision's current state (for checks and for tests)."""
        return self._load(Decision, decision_id)

    def _open_decision(self, decision_id: UUID, options: CommandOptions) -> Decision:
        """The decision a command acts on, refused when its working group is closed."""
        decision = self._load(Decision, decision_id, options)
        if decision.forum_kind is ForumKind.WORKING_GROUP:
            self._load(WorkingGroup, decision.forum_id).ensure_open()
        return decision

    # -- cross-stream checks (prefixed: every mixin shares one namespace) -------------

    def _decision_of(self, partnership: Partnership, decision_id: UUID) -> Decision:
        """Another decision of the same partnership, or NotFound."""
        decision = self._load(Decision, decision_id)
        if decision.partnership_id != partnership.id:
            raise NotFound(f"no decision with id {decision_id} in this partnership")
        return decision

    def _decision_forum(
        self, partnership: Partnership, forum_kind: str, forum_id: UUID, member_id: UUID | None
    ) -> tuple[ForumKind, WorkingGroup | None]:
        """The checked forum: the partnership itself, or one of its open working groups
        (returned with it).

        When `member_id` is given, it must be a member of the group.
        """
        kind = choice(forum_kind, ForumKind, "forum_kind")
        if kind is ForumKind.PARTNERSHIP:
            if forum_id != partnership.id:
                raise InvalidInput(
                    "must be the partnership's own id for a decision of the partnership",
                    field="forum_id",
                )
            return kind, None
        group = self._load(WorkingGroup, forum_id)
        if group.partnership_id != partnership.id:
            raise NotFound(f"no working group with id {forum_id} in this partnership")
        group.ensure_open()
        if member_id is not None:
            group.ensure_member(member_id)
        return kind, group

    def _decision_proposer_or_secretariat(
        self, ctx: Context, decision: Decision, verb: str
    ) -> None:
        """Only the tabling organisation (or the secretariat) changes a proposal's fate."""
        partnership = self._load(Partnership, decision.partnership_id)
        if ctx.acting_for is None:
            return
        member_id = partnership.ensure_acts_for(ctx)
        if member_id != decision.proposer_id:
            raise Forbidden(
                f"only the organisation that tabled the proposal, or the secretariat, may {verb} it"
            )

    def _decision_voter(self, ctx: Context, decision: Decision) -> tuple[UUID, bool]:
        """The organisation a position is taken for, and whether a proxy holder takes it."""
        partnership = self._load(Partnership, decision.partnership_id)
        if ctx.acting_for is None:
            raise Forbidden("a position is taken on behalf of a member organisation")
        member_id = partnership.ensure_acts_for(ctx, decision.proxies)
        return member_id, not partnership.represents(person_of(ctx), member_id, ctx.today)


def check_claim(partnership: Partnership, ctx: Context) -> None:
    """A secretariat command needs no organisation, but a claimed one must be true."""
    if ctx.acting_for is not None:
        partnership.ensure_acts_for(ctx)
