"""What the decision use cases share: loading a decision, its forum and its voters.

Each takes the unit of work the use case runs in (`runner`): the streams it loads are
read once, with the command's, and held to their versions at the command's save.
"""

from __future__ import annotations

from uuid import UUID

from coordination.application.commands import CommandOptions
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.decision_rules import ForumKind
from coordination.domain.errors import Forbidden, InvalidInput, NotFound
from coordination.domain.partnership import Partnership, person_of
from coordination.domain.values import choice
from coordination.domain.working_group import WorkingGroup


def open_decision(runner: CommandRunner, decision_id: UUID, options: CommandOptions) -> Decision:
    """The decision a command acts on, refused when its working group is closed."""
    decision = runner.load(Decision, decision_id, options)
    if decision.forum_kind is ForumKind.WORKING_GROUP:
        runner.load(WorkingGroup, decision.forum_id).ensure_open()
    return decision


def decision_in(runner: CommandRunner, partnership: Partnership, decision_id: UUID) -> Decision:
    """Another decision of the same partnership, or NotFound."""
    decision = runner.load(Decision, decision_id)
    if decision.partnership_id != partnership.id:
        raise NotFound(f"no decision with id {decision_id} in this partnership")
    return decision


def checked_forum(
    runner: CommandRunner,
    partnership: Partnership,
    forum_kind: str,
    forum_id: UUID,
    member_id: UUID | None,
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
    group = runner.load(WorkingGroup, forum_id)
    if group.partnership_id != partnership.id:
        raise NotFound(f"no working group with id {forum_id} in this partnership")
    group.ensure_open()
    if member_id is not None:
        group.ensure_member(member_id)
    return kind, group


def ensure_proposer_or_secretariat(
    runner: CommandRunner, ctx: Context, decision: Decision, verb: str
) -> None:
    """Only the tabling organisation (or the secretariat) changes a proposal's fate."""
    partnership = runner.load(Partnership, decision.partnership_id)
    if ctx.acting_for is None:
        return
    member_id = partnership.ensure_acts_for(ctx)
    if member_id != decision.proposer_id:
        raise Forbidden(
            f"only the organisation that tabled the proposal, or the secretariat, may {verb} it"
        )


def voter(runner: CommandRunner, ctx: Context, decision: Decision) -> tuple[UUID, bool]:
    """The organisation a position is taken for, and whether a proxy holder takes it."""
    partnership = runner.load(Partnership, decision.partnership_id)
    if ctx.acting_for is None:
        raise Forbidden("a position is taken on behalf of a member organisation")
    member_id = partnership.ensure_acts_for(ctx, decision.proxies)
    return member_id, not partnership.represents(person_of(ctx), member_id, ctx.today)


def check_claim(partnership: Partnership, ctx: Context) -> None:
    """A secretariat command needs no organisation, but a claimed one must be true."""
    if ctx.acting_for is not None:
        partnership.ensure_acts_for(ctx)
