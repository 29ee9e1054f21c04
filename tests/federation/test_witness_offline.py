"""Cosignatures beyond `/checkpoint` (FEED-PROTOCOL §7): a long poll on `/checkpoint` ends
when cosignatures of the latest checkpoint arrive; an export bundle carries them, so
`verify BUNDLE --witness VKEY --quorum K` works offline; `coordination witness gather
--once` prints what each witness answered. Two nodes over real HTTP; A on both backends."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from rich.console import Console
from typer.testing import CliRunner

from coordination.audit.cosignature import Cosigner
from coordination.audit.export import export_bundle
from coordination.bootstrap import System, bootstrap
from coordination.cli import app as cli
from coordination.cli.audit import verify
from coordination.domain.context import Context
from coordination.federation.witness_gather import WitnessTarget, gather_once
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.audit.support import serve

from .partner_support import FEED
from .support import until
from .witness_support import audit_of, introduce, node_settings, size_of, witness_key_of


async def _stable_checkpoint(url: str, size: int) -> httpx.Response:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while size_of((got := await client.get(f"{url}{FEED}/checkpoint")).text) < size:
            assert time.monotonic() < deadline, got.text
            await asyncio.sleep(0.05)  # polling a condition with a deadline
    return got


async def test_cosignatures_wake_the_long_poll_and_travel_in_bundles(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    other = bootstrap(node_settings(tmp_path, "b"))
    app_a, app_b = create_app(settings, system=system), create_app(other.settings, system=other)
    witness = witness_key_of(other.settings)
    try:
        with serve(app_a) as url_a, serve(app_b) as url_b:
            # A registers no witness key of B: nothing gathers in the background.
            introduce(system, [(other.settings, url_b)], witness_keys=False)
            introduce(other, [(settings, url_a)])
            head = await _stable_checkpoint(url_a, 3)
            async with httpx.AsyncClient(timeout=30) as client:
                asked = time.monotonic()
                poll = asyncio.ensure_future(
                    client.get(
                        f"{url_a}{FEED}/checkpoint",
                        headers={"Prefer": "wait=20", "If-None-Match": head.headers["etag"]},
                    )
                )
                notifier = audit_of(app_a).notifier
                await until(lambda: bool(notifier._waiters))  # the poll waits: gather now
                target = WitnessTarget(other.settings.origin, url_b, witness)
                (answer,) = await gather_once(audit_of(app_a), [target])
                assert answer.cosignature is not None
                woken = await poll
            assert time.monotonic() - asked < 10
            assert woken.status_code == 200
            assert woken.text == head.text + answer.cosignature.line

            bundle = tmp_path / "bundle"
            export_bundle(audit_of(app_a), bundle)
            stranger = Cosigner.generate("c.example/coordination/log/witness").verifier.vkey
            console = Console(record=True, width=200)
            code = verify(str(bundle), witnesses=[witness.vkey], quorum=1, console=console)
            assert code == 0, console.export_text()
            console = Console(record=True, width=200)
            code = verify(
                str(bundle), witnesses=[witness.vkey, stranger], quorum=2, console=console
            )
            assert code == 1
            assert "1 valid cosignature(s)" in console.export_text()
    finally:
        other.close()


async def test_witness_gather_once_prints_each_witness_s_answer(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    other, third = bootstrap(node_settings(tmp_path, "b")), node_settings(tmp_path, "c")
    app_b = create_app(other.settings, system=other)
    try:
        with serve(app_b) as url_b:
            introduce(system, [(other.settings, url_b), (third, "http://127.0.0.1:9")])
            introduce(other, [(settings, "http://127.0.0.1:9")])
            system.app.revoke_partner_key(
                Context(actor="operator:test", origin=settings.origin),
                origin=third.origin,
                key_id=f"{witness_key_of(third).key_id:08x}",
                reason="gone",
            )
            audit = create_app(settings, system=system)
            with serve(audit) as url_a:
                await _stable_checkpoint(url_a, 8)
            result = await asyncio.to_thread(
                CliRunner().invoke, cli, ["witness", "gather", "--once"], env=_env(settings)
            )
    finally:
        other.close()
    output = " ".join(result.output.split())
    assert result.exit_code == 0, output
    assert f"{other.settings.origin}: cosigned ({witness_key_of(other.settings).name})" in output
    assert f"{third.origin}: not asked: no witness key registered" in output


def _env(settings: Settings) -> dict[str, str]:
    return {
        "COORDINATION_DATABASE_URL": settings.database_url or "",
        "COORDINATION_DATA_DIR": str(settings.data_dir),
        "COORDINATION_ORIGIN": settings.origin,
        "COORDINATION_ENV": "test",
    }
