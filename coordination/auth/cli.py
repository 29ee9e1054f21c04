"""`coordination tokens issue`: sign a bearer token for a person in a role.

The lead registers `tokens_app` on the main command line
(`app.add_typer(tokens_app, name="tokens")`); `issue_command` is the plain function.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from uuid import UUID

import typer

from coordination.auth.principal import Role
from coordination.auth.tokens import TokenError, TokenKeys, issue_token
from coordination.settings import Settings

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

tokens_app = typer.Typer(help="Bearer tokens for the GraphQL API.", no_args_is_help=True)


def parse_ttl(text: str) -> timedelta:
    """A lifetime such as ``90m``, ``8h`` or ``30d``."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise typer.BadParameter("write a lifetime as a number and a unit: 90m, 8h, 30d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@tokens_app.command("issue")
def issue_command(
    role: Annotated[
        Role, typer.Option(help="admin, representative, convenor or auditor.", case_sensitive=False)
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
    """Print a signed token; the node's signing key is created in its data directory."""
    settings = Settings()
    keys = TokenKeys.load_or_create(settings.data_dir, settings.origin)
    try:
        token = issue_token(
            keys, role=role, person=person, org=org, groups=tuple(group or ()), ttl=parse_ttl(ttl)
        )
    except TokenError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(token)
