"""`coordination ide install`: put the files of the node's pages (GraphiQL, Swagger UI)
where the node serves them from."""

from __future__ import annotations

import typer

from coordination.cli.options import environment_settings
from coordination.ide import api_docs, page
from coordination.ide.assets import assets_dir
from coordination.ide.npm_pinned import PinError, install, load_manifest

ide_app = typer.Typer(
    help="GraphiQL and Swagger UI, served by the node itself.", no_args_is_help=True
)


def _say(line: str) -> None:
    typer.echo(line, err=True)


@ide_app.command("install")
def install_command() -> None:
    """Fetch the pages' files with npm, check their pinned hashes, install them for the node.

    GraphiQL (at /graphql) and Swagger UI (at /docs), served outside production, then
    work without internet. Files
    already installed with the pinned hashes are not fetched again. The directory is
    COORDINATION_IDE_DIR, or share/coordination/graphiql in the Python environment.
    """
    target = assets_dir(environment_settings())
    _say(
        f"installing GraphiQL's and Swagger UI's files into {target}"
        " (fetched with npm, hashes checked)"
    )
    try:
        for manifest in (page.MANIFEST, api_docs.MANIFEST):
            install(load_manifest(manifest), target, say=_say)
    except PinError as error:
        _say(f"error: {error}")
        raise typer.Exit(2) from None
    _say("installed: `coordination serve` serves GraphiQL at /graphql and Swagger UI at /docs")
