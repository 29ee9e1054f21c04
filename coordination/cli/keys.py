"""`coordination keys init | show`: the node's signing keys. (No postponed annotations:
typer must see the option types built in `register_keys_commands`.)"""

from typing import Annotated

import typer
from rich.console import Console

from coordination.audit.keys import (
    SigningKeyError,
    init_key,
    keep_earlier_key,
    load_signer,
    private_keys_dir,
    show_key,
)
from coordination.audit.witness_key import init_witness_key, load_witness_key
from coordination.cli.options import SettingsFactory
from coordination.settings import Settings


def keys_init(settings: Settings, *, force: bool = False, console: Console | None = None) -> int:
    """Create the node's signing key; print where, and the verifier key to share. The
    token-signing key is created too when there is none (`--force` keeps it: replacing
    it would end every token issued), and the witness key (decision 44). All go to the keys
    directory."""
    from coordination.auth.token_key import create_token_key, token_key_path

    console = console or Console(stderr=True)
    try:
        directory = private_keys_dir(settings)
        if create_token_key(directory):
            console.print(f"created the token-signing key {token_key_path(directory)}")
        witness_path, made = init_witness_key(settings)
        if made:
            console.print(f"created the witness key {witness_path} (mode 0600)")
        rotating = force and settings.signing_key is None
        earlier = keep_earlier_key(settings) if rotating else None
        path = init_key(settings, force=force)
    except SigningKeyError as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    console.print(f"created the signing key {path} (mode 0600); the verifier key to share:")
    typer.echo(load_signer(settings).verifier.vkey)
    if earlier is not None:
        console.print(
            f"kept the replaced key's verifier key in {earlier}: the checkpoints it signed"
            " still verify for the node's self-audit"
        )
    if force:
        # A replaced key is a rotation: nothing of the node's says so on its own.
        console.print(
            "[yellow]note:[/] a node already running keeps signing with the old key until it"
            " is restarted; checkpoints signed before verify only with the old verifier key,"
            " so give partners and auditors both"
        )
    return 0


def keys_show(settings: Settings, *, witness: bool = False, console: Console | None = None) -> int:
    """Print the node's verifier key line, or its witness's (what partners register)."""
    try:
        typer.echo(load_witness_key(settings).verifier.vkey if witness else show_key(settings))
    except SigningKeyError as error:
        (console or Console(stderr=True)).print(f"[red]error:[/] {error}")
        return 2
    return 0


def register_keys_commands(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add the `keys` group (`init`, `show`) to the node's typer app."""
    keys = typer.Typer(help="The node's signing keys.", no_args_is_help=True)

    @keys.command("init")
    def keys_init_command(
        force: Annotated[bool, typer.Option(help="Replace an existing log key.")] = False,
    ) -> None:
        """Create the node's Ed25519 log signing key (mode 0600) in the keys directory, and
        its token-signing key when it has none."""
        raise typer.Exit(keys_init(settings_for(None), force=force))

    @keys.command("show")
    def keys_show_command(
        witness: Annotated[
            bool, typer.Option(help="The witness key's vkey (type 0x04) instead of the log key's.")
        ] = False,
    ) -> None:
        """Print the node's verifier key line (partners register it with `partners
        register-key`)."""
        raise typer.Exit(keys_show(settings_for(None), witness=witness))

    app.add_typer(keys, name="keys")
