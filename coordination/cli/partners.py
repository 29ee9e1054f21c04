"""`coordination partners`: the cooperation agreement, its partners and their keys, from
the command line, so that a node's first partners can be recorded before anyone holds
a token (bootstrap). Each command records the same events as its GraphQL mutation, in
the node's own log; the node's peers are read from there, never from a file. (No
postponed annotations: typer must see the option types built in `register_partner_commands`.)"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from coordination.application import CommandResult, Coordination
from coordination.cli.options import DatabaseOption, SettingsFactory
from coordination.cli.store import open_or_exit
from coordination.domain.context import Context
from coordination.domain.errors import DomainError
from coordination.domain.verifier_key import verifier_key

console = Console(stderr=True)
#: The actor of what the command line records: its operator, a service principal, not a
#: person (persons appear only by pseudonymous id, and the command line knows none).
OPERATOR = "operator:command-line"
_SEES = "Comma-separated audiences it may see: public, transnational."


def _audiences(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _party(given: str) -> tuple[str, list[str]]:
    """``ORIGIN=public,transnational``; an origin alone may see public and transnational."""
    origin, separator, sees = given.partition("=")
    return origin, _audiences(sees) if separator else ["public", "transnational"]


def _kind(vkey: str) -> str:
    """What the vkey is a key of, for the message (a malformed one is refused anyway)."""
    try:
        return "witness key" if verifier_key(vkey).witness else "key"
    except DomainError:
        return "key"


def _run(
    settings_for: SettingsFactory,
    database_url: str | None,
    command: Callable[[Coordination, Context], CommandResult],
    done: str,
) -> None:
    """Run `command` as the operator on the node's store; a refusal is exit code 1 with
    its reason."""
    settings = settings_for(database_url)
    system = open_or_exit(settings)
    try:
        command(system.app, Context(actor=OPERATOR, origin=settings.origin))
    except DomainError as error:
        console.print(f"[red]refused:[/] {error.message}")
        raise typer.Exit(1) from None
    finally:
        system.close()
    console.print(done)


def _listing(app: Coordination) -> list[str]:
    agreement = app.cooperation_agreement()
    lines = [f"cooperation agreement, version {agreement.agreement_version}: {agreement.title}"]
    for origin, granted in sorted(agreement.parties.items()):
        partner = agreement.partners.get(origin)
        if partner is None:
            lines.append(f"  {origin}  (a party, not admitted; may see {', '.join(granted)})")
            continue
        lines.append(
            f"  {origin}  {partner.name}  {partner.base_url}  sees {', '.join(partner.sees)}"
        )
        for kind, keys in (
            ("key", agreement.keys[origin]),
            ("witness key", agreement.witness_keys_of(origin)),
        ):
            for key in keys:
                until = key.valid_until.isoformat() if key.valid_until else "in force"
                lines.append(
                    f"    {kind} {key.key_id}  from {key.valid_from.isoformat()}  until {until}"
                )
    return lines


def register_partner_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add the `partners` group to the node's typer app."""
    partners = typer.Typer(
        help="The cooperation agreement, its partner nodes and their keys (B8).",
        no_args_is_help=True,
    )

    @partners.command("sign")
    def sign(
        title: Annotated[str, typer.Option(help="The agreement's title.")],
        document_hash: Annotated[str, typer.Option(help="SHA-256 of the signed document.")],
        party: Annotated[
            list[str],
            typer.Option(help="A partner partnership: ORIGIN or ORIGIN=public,transnational."),
        ],
        database_url: DatabaseOption = None,
    ) -> None:
        """Sign the cooperation agreement with the partner partnerships it names."""
        _run(
            settings_for,
            database_url,
            lambda node, ctx: node.sign_cooperation_agreement(
                ctx, title=title, document_hash=document_hash, parties=[_party(p) for p in party]
            ),
            "signed the cooperation agreement",
        )

    @partners.command("admit")
    def admit(
        origin: Annotated[str, typer.Argument(help="The partner node's log origin.")],
        name: Annotated[str, typer.Option(help="The partner partnership's name.")],
        base_url: Annotated[str, typer.Option(help="Where its node is reached (https).")],
        sees: Annotated[str, typer.Option(help=_SEES)] = "public,transnational",
        database_url: DatabaseOption = None,
    ) -> None:
        """Admit a party of the agreement as a partner node."""
        _run(
            settings_for,
            database_url,
            lambda node, ctx: node.admit_partner(
                ctx, origin=origin, name=name, base_url=base_url, sees=_audiences(sees)
            ),
            f"admitted {origin}",
        )

    @partners.command("register-key")
    def register_key(
        origin: Annotated[str, typer.Argument(help="The partner node's log origin.")],
        vkey: Annotated[
            str,
            typer.Argument(
                help="Its verifier key line (its `keys show`): its log key, or its witness key"
                " (type 0x04)."
            ),
        ],
        database_url: DatabaseOption = None,
    ) -> None:
        """Register a partner's log key or witness key (the vkey's type says which), valid
        from now on."""
        _run(
            settings_for,
            database_url,
            lambda node, ctx: node.register_partner_key(ctx, origin=origin, vkey=vkey),
            f"registered the {_kind(vkey)} of {origin}",
        )

    @partners.command("rotate-key")
    def rotate_key(
        origin: Annotated[str, typer.Argument(help="The partner node's log origin.")],
        vkey: Annotated[str, typer.Argument(help="Its new verifier key line (log or witness).")],
        database_url: DatabaseOption = None,
    ) -> None:
        """Replace a partner's key in force of the new key's kind by it, from now on."""
        _run(
            settings_for,
            database_url,
            lambda node, ctx: node.rotate_partner_key(ctx, origin=origin, vkey=vkey),
            f"rotated the {_kind(vkey)} of {origin}",
        )

    @partners.command("revoke-key")
    def revoke_key(
        origin: Annotated[str, typer.Argument(help="The partner node's log origin.")],
        key_id: Annotated[str, typer.Argument(help="The key id (8 hexadecimal digits).")],
        reason: Annotated[str, typer.Option(help="Why it is no longer trusted.")],
        revoked_from: Annotated[
            datetime | None,
            typer.Option(help="From when (UTC) it is no longer trusted; now when not given."),
        ] = None,
        database_url: DatabaseOption = None,
    ) -> None:
        """Stop trusting a partner's key."""
        moment = (
            revoked_from.replace(tzinfo=UTC)
            if revoked_from and not revoked_from.tzinfo
            else revoked_from
        )
        _run(
            settings_for,
            database_url,
            lambda node, ctx: node.revoke_partner_key(
                ctx, origin=origin, key_id=key_id, reason=reason, revoked_from=moment
            ),
            f"revoked the key {key_id} of {origin}",
        )

    @partners.command("list")
    def list_partners(database_url: DatabaseOption = None) -> None:
        """Print the agreement's parties, the partners and their keys, from the log."""
        settings = settings_for(database_url)
        system = open_or_exit(settings)
        try:
            lines = _listing(system.app)
        except DomainError as error:
            console.print(f"[red]error:[/] {error.message}")
            raise typer.Exit(1) from None
        finally:
            system.close()
        for line in lines:
            typer.echo(line)

    app.add_typer(partners, name="partners")
