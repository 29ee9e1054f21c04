"""May this principal run this command on this target: the write side's one decision.

`command_check` is all the API calls. It decides by one function per kind of check, in
this order:

1. The role (`matrix.check_role`): a role that holds no grant for the command is refused
   at once, before anything is loaded.
2. The mandate (`standing.ensure_acts_for`): a token that names an organisation is held,
   whatever its role and the command's grant, to `holds_mandate` in the partnership the
   command is in; a token that outlived its mandate, or names an organisation its holder
   never represented, acts for nobody, the secretariat's included (docs/decisions/0022).
3. The grant by target (`matrix.check_grant`): where the role's grant depends on what
   the command touches (`targets`), that must concern the token's organisation or
   groups.
4. The convenorship (`standing.ensure_convenes`): where the grant rests on the token's
   groups, its holder must be the appointed convenor of one of them (`convenes`).

Checks 2-4 read streams, so they run inside the command's unit of work, in its read scope
(`CommandRunner.reading_once`): the command's save holds those reads to their versions,
and a command that lost a race is checked again on fresh reads (docs/decisions/0020).
The use cases keep their own checks of what they do for an organisation (the command
line and the demo call them directly), by the same rules.

The read side applies the same rules (`coordination.domain.standing`) to the views:
`coordination.projections.queries.access.confirmed_scope`, which
`coordination.graphql.visibility.Visibility` reads once per request.
"""

from __future__ import annotations

from collections.abc import Callable

from coordination.application.unit_of_work import CommandRunner
from coordination.auth.authorization.matrix import Grant, check_grant, check_role, needs_target
from coordination.auth.authorization.standing import ensure_acts_for, ensure_convenes
from coordination.auth.authorization.targets import TargetOf
from coordination.auth.principal import Principal
from coordination.domain.context import Context

#: The checks of a command that read streams, run in its unit of work with its context.
CommandCheck = Callable[[CommandRunner, Context], None]


def command_check(principal: Principal, command: str, target: TargetOf) -> CommandCheck:
    """The check of `command` for `principal`, once its role may run the command at all.

    Args:
        principal: The verified caller.
        command: The mutation's GraphQL name (a key of `matrix.MATRIX`).
        target: What the command touches, resolved in the command's unit of work.

    Returns:
        The mandate, grant and convenorship checks, for the command's unit of work to run
        in its read scope, before the command and again before every further attempt.

    Raises:
        Forbidden: The principal's role holds no grant for the command.
    """
    check_role(principal, command)

    def check(runner: CommandRunner, ctx: Context) -> None:
        by_target = needs_target(principal, command)
        if principal.org is None and not by_target:
            return
        touched = target(runner)
        # The token's claims against the streams: a token that outlived its holder's
        # mandate, or names an organisation it never held, acts for nobody; one rule
        # for every command and every role (decision 22).
        ensure_acts_for(runner, ctx, touched.partnership, proxies_of=touched.proxies_of)
        if by_target and check_grant(principal, command, touched) is Grant.OWN_GROUP:
            ensure_convenes(runner, ctx, principal.groups & touched.groups)

    return check
