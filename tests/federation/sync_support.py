"""What the sync tests share: nodes on their own databases and keys, introduced to each other
through B8 events, served by uvicorn on free ports, and the sync step of a node."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

from coordination.audit.checkpoint import Checkpoint
from coordination.audit.keys import load_or_create_signer
from coordination.audit.log import AuditLog
from coordination.bootstrap import System, bootstrap
from coordination.bootstrap.peer_sync import peer_sync
from coordination.domain.context import Context
from coordination.federation.peer_client import Peer, PeerClient
from coordination.federation.sync_step import PeerSync, SyncReport
from coordination.federation.synced_logs import UP_TO_DATE
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.audit.support import serve

from .partner_support import BOTH, FEED


def node_settings(
    tmp_path: Path, name: str, database_url: str | None = None, **more: Any
) -> Settings:
    """A node named ``name`` (origin ``<name>.example/coordination/log``) in a directory of
    its own, its sync worker off unless ``more`` turns it on."""
    directory = tmp_path / name
    directory.mkdir(exist_ok=True)
    fields: dict[str, Any] = {"sync": False, "sync_wait_s": 2, "sync_backoff_max_s": 1.0}
    return Settings(
        database_url=database_url or f"sqlite:///{directory / 'events.db'}",
        data_dir=directory,
        origin=f"{name}.example/coordination/log",
        env="test",
        **{**fields, **more},
    )


@contextmanager
def running(settings: Settings, system: System | None = None) -> Iterator[tuple[Any, str, System]]:
    """The node served on a free port: its app, base URL and write side."""
    wired = system or bootstrap(settings)
    app = create_app(settings, system=wired)
    try:
        with serve(app) as url:
            yield app, url, wired
    finally:
        if system is None:
            wired.close()


def introduce(system: System, partners: list[tuple[Settings, str]]) -> None:
    """Record the partners in ``system``'s own log: the agreement, their admission with
    their base URLs, and their log keys."""
    app = system.app
    ctx = Context(actor="operator:test", origin=system.settings.origin)
    app.sign_cooperation_agreement(
        ctx,
        title="Cooperation",
        document_hash="a" * 64,
        parties=[(partner.origin, BOTH) for partner, _ in partners],
    )
    for partner, url in partners:
        app.admit_partner(ctx, origin=partner.origin, name=partner.origin, base_url=url, sees=BOTH)
        vkey = load_or_create_signer(partner).verifier.vkey
        app.register_partner_key(ctx, origin=partner.origin, vkey=vkey)


def audit_of(app: Any) -> AuditLog:
    log: AuditLog = app.state.audit.log
    return log


def sync_of(app: Any, system: System) -> PeerSync:
    """The node's sync step, as its worker and `coordination sync` run it."""
    return peer_sync(system, audit_of(app))


async def served_checkpoint(url: str) -> Checkpoint:
    """The checkpoint a node serves (unverified: the tests compare with it)."""
    async with httpx.AsyncClient() as client:
        note = (await client.get(f"{url}{FEED}/checkpoint")).text
    return Checkpoint.parse(note[: note.index("\n\n") + 1])


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60.0) -> None:
    """Wait until ``check`` holds, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"not in time: {what}"
        await asyncio.sleep(0.1)  # polling a condition with a deadline


async def sync_until_up_to_date(
    sync: PeerSync, own: Settings, peer: Peer, system: System, url: str, timeout: float = 90.0
) -> SyncReport:
    """Run sync steps of the node of ``own`` settings until the peer at ``url`` (whose
    write side is ``system``) is up to date at the checkpoint covering every event
    recorded there (the registry's views and the peer's integrator follow a moment
    later); the last step's report."""
    signer = load_or_create_signer(own)
    reports: list[SyncReport] = []

    async def synced() -> bool:
        events = system.app.recorder.max_notification_id() or 0
        served = await served_checkpoint(url)
        async with httpx.AsyncClient(timeout=10) as client:
            reports.append(await sync.sync_once(PeerClient(peer, signer, client)))
        last = reports[-1]
        return last.state == UP_TO_DATE and served.size >= events and last.cursor == served.size

    await until(synced, f"{peer.origin} synced: {reports[-1:] or 'no step'}", timeout)
    return reports[-1]


def envelopes(stored: list[bytes | None]) -> list[dict[str, Any]]:
    return [orjson.loads(e) for e in stored if e is not None]


class Proxy:
    """A peer's feed as a misbehaving peer serves it: a Starlette app in front of the real
    node (whose public URL it must be, so signatures check), forwarding every request
    unless ``mode`` says otherwise. ``pages`` counts the pages of entries served;
    ``fail_after`` makes every page after that many a 503 (a peer that went down)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode = "pass"
        self.pages = 0
        self.fail_after: int | None = None
        self.checkpoint: str | None = None  # served instead of the peer's, when set
        self.proof: list[str] | None = None  # hashes served in every consistency proof

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        async def forward(request: Request) -> Response:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if self.mode == "down":
                return Response("down for maintenance", status_code=503)
            if self.mode == "slow":
                await asyncio.sleep(5)
            if self.mode == "garbage":
                return Response(b"\x00{not json", media_type="application/json")
            if "/proof/consistency" in path and self.proof is not None:
                first, second = request.query_params["from"], request.query_params["to"]
                body = {"from": int(first), "to": int(second), "hashes": self.proof}
                return Response(orjson.dumps(body), media_type="application/json")
            if path.endswith("/checkpoint") and self.checkpoint is not None:
                return Response(self.checkpoint, media_type="text/plain; charset=utf-8")
            is_page = "/entries" in path and "limit=1&" not in path + "&"
            if is_page:
                self.pages += 1
                if self.fail_after is not None and self.pages > self.fail_after:
                    return Response("gone", status_code=503)
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
            async with httpx.AsyncClient(timeout=30) as client:
                answer = await client.get(self.upstream + path, headers=headers)
            body = answer.content
            if is_page and self.mode == "cut":
                body = body[: len(body) // 2]
            if is_page and self.mode == "short" and answer.status_code == 200:
                served = orjson.loads(body)  # fewer entries than asked for, as allowed
                served["entries"] = served["entries"][: max(1, len(served["entries"]) // 2)]
                body = orjson.dumps(served)
            if is_page and self.mode == "rewrite":
                body = body.replace(b'"audience":"transnational"', b'"audience":"public"', 1)
            kept = {"content-type": answer.headers.get("content-type", "text/plain")}
            return Response(body, status_code=answer.status_code, headers=kept)

        return Starlette(routes=[Route("/{path:path}", forward, methods=["GET"])])
