"""`coordination ide install`: put GraphiQL's files where the node serves them from."""

from __future__ import annotations

import typer

from coordination.cli.options import environment_settings
from coordination.ide.npm_pinned import PinError, install, load_manifest
from coordination.ide.page import MANIFEST, assets_dir

ide_app = typer.Typer(help="GraphiQL, served by the node itself.", no_args_is_help=True)


def _say(line: str) -> None:
    typer.echo(line, err=True)


@ide_app.command("install")
def install_command() -> None:
    """Fetch GraphiQL's files with npm, check their pinned hashes, install them for the node.

    GraphiQL (served at /graphql outside production) then works without internet. Files
    already installed with the pinned hashes are not fetched again. The directory is
    COORDINATION_IDE_DIR, or share/coordination/graphiql in the Python environment.
    """
    target = assets_dir(environment_settings())
    _say(f"installing GraphiQL's files into {target} (fetched with npm, hashes checked)")
    try:
        install(load_manifest(MANIFEST), target, say=_say)
    except PinError as error:
        _say(f"error: {error}")
        raise typer.Exit(2) from None
    _say("GraphiQL is installed: `coordination serve` serves it at /graphql")
