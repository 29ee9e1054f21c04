"""The token's claims against the streams: a mandate for its organisation, the
convenorship of its groups.

A token says which organisation its holder acts for and, for a convenor, which groups
it runs; the partnership's stream says who represents whom today, the group's who
convenes it. Each check loads those streams in the command's unit of work (`runner`),
so the command's save holds them to the versions read and a command that lost a race
checks again on fresh reads (docs/decisions/0020). The rules themselves are
`coordination.domain.standing`'s (`holds_mandate`, `convenes`), the same the read side
applies to the views (docs/decisions/0022).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.decision import Decision
from coordination.domain.errors import Forbidden, NotFound
from coordination.domain.partnership import Partnership, person_of
from coordination.domain.standing import convenes
from coordination.domain.working_group import WorkingGroup


def ensure_acts_for(
    runner: CommandRunner,
    ctx: Context,
    partnership_id: UUID | None,
    *,
    proxies_of: UUID | None = None,
) -> None:
    """Refuse unless the actor may act, today, for the organisation it claims.

    The partnership's `ensure_acts_for` applies `holds_mandate` to the actor, or to the
    holder of a proxy granted on the decision named.

    Args:
        runner: The unit of work the command runs in.
        ctx: The command's context; `acting_for` is the token's organisation.
        partnership_id: The partnership the command is in; None for one that is in
            none yet (establishing a partnership), which nobody does for an
            organisation.
        proxies_of: For a position, the decision whose proxies count as well as the
            actor's own mandates.

    Raises:
        Forbidden: The actor holds no current mandate (nor proxy) for it there.
    """
    if ctx.acting_for is None:
        return
    if partnership_id is None:
        raise Forbidden(
            "this command is in no partnership yet, so it is not done on behalf of an"
            " organisation: use a token that names none"
        )
    partnership = runner.load(Partnership, partnership_id)
    proxies = None
    if proxies_of is not None:
        decision = runner.load(Decision, proxies_of)
        if decision.partnership_id != partnership_id:
            raise NotFound(f"no decision with id {proxies_of} in this partnership")
        proxies = decision.proxies
    partnership.ensure_acts_for(ctx, proxies)


def ensure_convenes(runner: CommandRunner, ctx: Context, group_ids: Iterable[UUID]) -> None:
    """Refuse unless the actor convenes one of these groups today: appointed in the
    group's own stream, for the organisation it acts for, which it still represents
    (`convenes`, over `holds_mandate`).

    A convenor's token names the groups it runs, and lives up to a year; the group's
    stream says who convenes it now (an appointment moves the role on, a withdrawal
    or an ended mandate ends it).

    Raises:
        Forbidden: The actor convenes none of them today.
    """
    person, member_id = person_of(ctx), ctx.acting_for
    for group_id in sorted(group_ids):
        if member_id is None:
            break
        group = runner.load(WorkingGroup, group_id)
        partnership = runner.load(Partnership, group.partnership_id)
        held = partnership.represents(person, member_id, ctx.today)
        if convenes(person, member_id, (group.convenor, group.convenor_org), mandate_held=held):
            return
    raise Forbidden(
        "the token names a working group its holder does not (or no longer) convene:"
        " only the group's appointed convenor, with a current mandate, runs it"
    )
