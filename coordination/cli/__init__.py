"""The one command line: `coordination serve | migrate | demo | rebuild | … | integrity`.

One module per command group registers its commands here, in the order `--help` lists
them. Settings come from `COORDINATION_*` environment variables (see `Settings`);
options given here override them for one run. Each command imports what it needs when it
runs, so that starting the command line stays quick.
"""

from __future__ import annotations

import typer

from coordination.cli import (
    audit,
    catalogue,
    ide,
    integrity,
    partners,
    privacy,
    replay,
    serve,
    store,
    sync,
    tokens,
    views,
    witness,
)
from coordination.cli.options import settings_for
from coordination.runtime import tune_garbage_collection

app = typer.Typer(
    help="coordination: event-sourced backend of a social-economy development partnership.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _every_command() -> None:
    """coordination: event-sourced backend of a social-economy development partnership."""
    tune_garbage_collection()


serve.register_serve_command(app, settings_for)
store.register_store_commands(app, settings_for)
views.register_view_commands(app, settings_for)
catalogue.register_catalogue_command(app)
app.add_typer(tokens.tokens_app, name="tokens")
app.add_typer(ide.ide_app, name="ide")
audit.register_audit_commands(app, settings_for)
replay.register_replay_command(app, settings_for)
privacy.register_privacy_commands(app, settings_for)
integrity.register_integrity_commands(app, settings_for)
partners.register_partner_commands(app, settings_for)
witness.register_witness_commands(app, settings_for)
sync.register_sync_command(app, settings_for)
