"""`coordination tokens issue | revoke`: sign a bearer token, or stop accepting one.

The command line adds `tokens_app` as its `tokens` group; `issue_command` and
`revoke_command` are the plain functions.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID, uuid4

import typer

from coordination.audit.keys import keys_dir
from coordination.auth.principal import Role
from coordination.auth.revocation import RevocationList
from coordination.auth.token_key import TokenKeyError
from coordination.auth.tokens import MAX_TTL, TokenError, TokenKeys, issue_token
from coordination.cli.options import environment_settings

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

tokens_app = typer.Typer(help="Bearer tokens for the GraphQL API.", no_args_is_help=True)


class IssuedRole(StrEnum):
    """The roles a token is issued for: an anonymous caller is one that sends none."""

    ADMIN = Role.ADMIN.value
    REPRESENTATIVE = Role.REPRESENTATIVE.value
    CONVENOR = Role.CONVENOR.value
    AUDITOR = Role.AUDITOR.value


def parse_ttl(text: str) -> timedelta:
    """A lifetime such as ``90m``, ``8h`` or ``30d``."""
    if text.strip().startswith("-"):
        raise typer.BadParameter(
            f"a token's lifetime must be more than zero and at most {MAX_TTL.days} days"
        )
    match = _DURATION.match(text.strip())
    if match is None:
        raise typer.BadParameter("write a lifetime as a number and a unit: 90m, 8h, 30d")
    try:
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:  # beyond what a timedelta holds, so far beyond what a token may
        raise typer.BadParameter(f"a token lives at most {MAX_TTL.days} days") from None


@tokens_app.command("issue")
def issue_command(
    role: Annotated[
        IssuedRole,
        typer.Option(help="admin, representative, convenor or auditor.", case_sensitive=False),
    ],
    person: Annotated[UUID, typer.Option(help="The caller's pseudonymous person id.")],
    org: Annotated[
        UUID | None, typer.Option(help="The member organisation a representative acts for.")
    ] = None,
    group: Annotated[
        list[UUID] | None, typer.Option(help="A working group a convenor runs (repeatable).")
    ] = None,
    ttl: Annotated[str, typer.Option(help="How long the token is accepted: 90m, 8h, 30d.")] = "8h",
) -> None:
    """Print a token signed with the node's key, from its data directory (none is made).

    The token goes to standard output (for `TOKEN=$(coordination tokens issue ...)`), its
    id, by which it is revoked, to standard error.
    """
    settings = environment_settings()
    token_id = uuid4()
    try:
        keys = TokenKeys.load(keys_dir(settings), settings.origin)
        token = issue_token(
            keys,
            role=Role(role.value),
            person=person,
            org=org,
            groups=tuple(group or ()),
            ttl=parse_ttl(ttl),
            token_id=token_id,
        )
    except (TokenError, TokenKeyError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(token)
    typer.echo(
        f"token id (jti): {token_id}; revoke with: coordination tokens revoke {token_id}", err=True
    )


@tokens_app.command("revoke")
def revoke_command(
    jti: Annotated[str, typer.Argument(help="The token's id, as `tokens issue` printed it.")],
) -> None:
    """Stop accepting one token, from the next request on (running servers included)."""
    try:
        token_id = UUID(jti.strip())
    except ValueError:
        typer.echo("error: a token id is a UUID, as `tokens issue` printed it", err=True)
        raise typer.Exit(2) from None
    settings = environment_settings()
    try:
        # The node's key shows that this is its keys directory: a list written anywhere
        # else would be reported as revoked and never read.
        TokenKeys.load(keys_dir(settings), settings.origin)
    except TokenKeyError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        added = RevocationList(keys_dir(settings)).revoke(token_id)
    except (OSError, TokenError) as error:
        reason = error if isinstance(error, TokenError) else type(error).__name__
        typer.echo(f"error: the token could not be revoked: {reason}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"revoked token {token_id}" if added else f"token {token_id} was already revoked")
