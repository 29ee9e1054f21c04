"""What the witnessing tests share: nodes of their own (SQLite), partners recorded in a
node's own log with their log and witness keys, and waiting for what a node serves."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from coordination.audit.cosignature import CosignatureVerifier, cosigned_by
from coordination.audit.keys import load_or_create_signer
from coordination.audit.log import AuditLog
from coordination.audit.witness_key import load_witness_key
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.settings import Settings

from .partner_support import BOTH, FEED


def node_settings(tmp_path: Path, name: str, origin: str | None = None) -> Settings:
    """A node of its own on SQLite, in ``tmp_path / name``."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / name}.db",
        data_dir=tmp_path / name,
        origin=origin or f"{name}.example/coordination/log",
        env="test",
    )


def witness_key_of(settings: Settings) -> CosignatureVerifier:
    """The witness key of the node of ``settings`` (made on first need)."""
    return load_witness_key(settings).verifier


def introduce(
    system: System, partners: list[tuple[Settings, str]], *, witness_keys: bool = True
) -> None:
    """Record ``partners`` (settings, base URL) in ``system``'s own log: the agreement,
    their admission, their log keys and (with ``witness_keys``) their witness keys."""
    app = system.app
    ctx = Context(actor="operator:test", origin=system.settings.origin)
    parties = [(partner.origin, BOTH) for partner, _ in partners]
    app.sign_cooperation_agreement(ctx, title="Agreement", document_hash="a" * 64, parties=parties)
    for partner, url in partners:
        app.admit_partner(ctx, origin=partner.origin, name=partner.origin, base_url=url, sees=BOTH)
        vkey = load_or_create_signer(partner).verifier.vkey
        app.register_partner_key(ctx, origin=partner.origin, vkey=vkey)
        if witness_keys:
            vkey = witness_key_of(partner).vkey
            app.register_partner_key(ctx, origin=partner.origin, vkey=vkey)


def audit_of(app: object) -> AuditLog:
    log: AuditLog = app.state.audit.log  # type: ignore[attr-defined]
    return log


def size_of(note: str) -> int:
    return int(note.split("\n")[1]) if note.count("\n") > 1 else 0


async def until_served_with(
    url: str, witnesses: list[CosignatureVerifier], count: int, above: int = 0, timeout: float = 60
) -> str:
    """The checkpoint the node at ``url`` serves once it is larger than ``above`` and
    carries ``count`` valid cosignatures of ``witnesses`` (gathered in the background)."""
    deadline = time.monotonic() + timeout
    # One answer may take seconds on a loaded machine: the deadline is the overall one.
    async with httpx.AsyncClient(timeout=timeout) as client:
        while True:
            served = (await client.get(f"{url}{FEED}/checkpoint")).text
            found = cosigned_by(served, witnesses) if served.count("\n") > 1 else {}
            if size_of(served) > above and len(found) >= count:
                return served
            assert time.monotonic() < deadline, f"not {count} cosignature(s) in time: {served}"
            await asyncio.sleep(0.05)  # polling a condition with a deadline
