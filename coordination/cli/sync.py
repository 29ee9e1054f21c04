"""`coordination sync --once [--peer ORIGIN]`: one sync step of every admitted partner (or
one), printing per peer what it verified and stored (FEED-PROTOCOL §6, decision 45).

It may run beside `serve`'s worker: a page and the cursor move in one transaction and a
checkpoint is recorded witnessed once, so two syncs of one peer store nothing twice.
Exit code 1 when a peer could not be synced (its line says why), 2 when the store or the
node's key cannot be used. (No postponed annotations: typer reads the option types.)"""

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from coordination.cli.options import DatabaseOption, SettingsFactory

if TYPE_CHECKING:
    from coordination.audit.note import Signer
    from coordination.audit.storage import LogStorage
    from coordination.bootstrap import System

console = Console(stderr=True)
out = Console(highlight=False)


def register_sync_command(app: typer.Typer, settings_for: SettingsFactory) -> None:
    """Add `sync` to the node's typer app."""

    @app.command()
    def sync(
        once: Annotated[
            bool, typer.Option("--once", help="One step per peer, then exit (required).")
        ] = False,
        peer: Annotated[
            str | None, typer.Option(help="Only this partner (its log's origin).")
        ] = None,
        page_size: Annotated[
            int, typer.Option(min=1, max=1000, help="Entries asked per page.")
        ] = 1000,
        database_url: DatabaseOption = None,
    ) -> None:
        """Sync the node's partners once: verify each one's checkpoint and pages against
        its key in the registry, store the verified entries, record what was witnessed."""
        if not once:
            console.print("[red]error:[/] give --once; `coordination serve` syncs continuously")
            raise typer.Exit(2)
        from coordination.audit.keys import SigningKeyError, load_or_create_signer
        from coordination.audit.storage import open_storage
        from coordination.cli.store import open_or_exit

        settings = settings_for(database_url)
        system = open_or_exit(settings)
        try:
            signer = load_or_create_signer(settings)
        except SigningKeyError as error:
            system.close()
            console.print(f"[red]error:[/] {error}")
            raise typer.Exit(2) from None
        storage = open_storage(system.target, system.app)
        try:
            storage.create_tables()
            failed = asyncio.run(_sync_peers(system, storage, signer, peer, page_size))
        finally:
            storage.close()
            system.close()
        if failed:
            raise typer.Exit(1)


async def _sync_peers(
    system: "System", storage: "LogStorage", signer: "Signer", only: str | None, page_size: int
) -> bool:
    """Sync each peer once; whether any failed."""
    import httpx

    from coordination.bootstrap.peer_sync import NodePeerRecords, admitted_peers
    from coordination.federation.peer_client import PeerClient
    from coordination.federation.sync_step import PeerSync
    from coordination.federation.synced_logs import SyncedLogs

    app = system.app
    peers = [p for p in admitted_peers(app) if only is None or p.origin == only]
    if not peers:
        console.print(f"no admitted partner {only} to sync" if only else "no admitted partner")
        return only is not None
    records = NodePeerRecords(app, system.settings.origin)
    sync = PeerSync(SyncedLogs(storage), records, page_limit=page_size)
    failed = False
    timeout = system.settings.sync_timeout_s
    async with httpx.AsyncClient(timeout=timeout) as client:
        for peer in peers:
            report = await sync.sync_once(PeerClient(peer, signer, client))
            witnessed = ", recorded it witnessed" if report.witnessed else ""
            out.print(
                f"{report.origin}: {report.state}; checkpoint of {report.size} entries verified,"
                f" {report.stored} entries stored now, {report.cursor} in all{witnessed}"
            )
            if report.error is not None:
                failed = True
                out.print(f"  {report.error}")
    return failed
