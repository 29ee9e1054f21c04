"""Two nodes over real HTTP (uvicorn on free ports) cosign each other's checkpoints: each
gathers the other's cosignature, `/checkpoint` serves it as an extra signature line that
verifies with the witness's vkey, and a witness that is down costs only its own line.
Node A runs on both backends, node B on SQLite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coordination.audit.cosignature import CosignatureVerifier, Cosigner, cosigned_by
from coordination.audit.keys import load_or_create_signer
from coordination.audit.log import AuditLog
from coordination.audit.quorum import quorum_problem
from coordination.bootstrap import System, bootstrap
from coordination.domain.context import Context
from coordination.federation.witness_gather import WitnessTarget, gather_once
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import serve

from .partner_support import BOTH, FEED

B_ORIGIN = "b.example/coordination/log"


@pytest.fixture
def other(tmp_path: Path) -> Iterator[System]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'b.db'}",
        data_dir=tmp_path / "b",
        origin=B_ORIGIN,
        env="test",
    )
    wired = bootstrap(settings)
    yield wired
    wired.close()


def introduce(system: System, partner: Settings, base_url: str) -> None:
    """Record ``partner`` in ``system``'s own log: agreement, admission and its log key."""
    app = system.app
    ctx = Context(actor="operator:test", origin=system.settings.origin)
    app.sign_cooperation_agreement(
        ctx, title="Cooperation", document_hash="a" * 64, parties=[(partner.origin, BOTH)]
    )
    app.admit_partner(ctx, origin=partner.origin, name=partner.origin, base_url=base_url, sees=BOTH)
    vkey = load_or_create_signer(partner).verifier.vkey
    app.register_partner_key(ctx, origin=partner.origin, vkey=vkey)


def audit_of(app: object) -> AuditLog:
    log: AuditLog = app.state.audit.log  # type: ignore[attr-defined]
    return log


async def until_served_cosigned(
    app: object, target: WitnessTarget, url: str, above: int = 0, timeout: float = 60.0
) -> str:
    """Gather until the node at ``url`` serves a checkpoint larger than ``above`` that
    carries the target's valid cosignature (the registry's view and the integrator follow
    the log a moment later); that checkpoint as served."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        witness_key = (await client.get(f"{target.base_url}{FEED}/witness/key")).text
        witness = CosignatureVerifier.from_vkey(witness_key)
        while True:
            await gather_once(audit_of(app), [target])
            served = (await client.get(f"{url}{FEED}/checkpoint")).text
            size = int(served.split("\n")[1]) if served.count("\n") > 1 else 0
            if size > above and witness in cosigned_by(served, [witness]):
                assert quorum_problem(served, [witness], 1) is None
                return served
            assert time.monotonic() < deadline, f"no cosignature served in time: {served}"
            await asyncio.sleep(0.1)  # polling a condition with a deadline


async def test_two_nodes_cosign_each_other_s_checkpoints(
    settings: Settings, system: System, other: System
) -> None:
    app_a, app_b = create_app(settings, system=system), create_app(other.settings, system=other)
    with serve(app_a) as url_a, serve(app_b) as url_b:
        introduce(system, other.settings, url_b)
        introduce(other, settings, url_a)
        served_a = await until_served_cosigned(app_a, WitnessTarget(B_ORIGIN, url_b), url_a)
        await until_served_cosigned(app_b, WitnessTarget(settings.origin, url_a), url_b)

        # A quorum of two pinned witnesses is not met by one cosignature.
        async with httpx.AsyncClient() as client:
            witness_b = CosignatureVerifier.from_vkey(
                (await client.get(f"{url_b}{FEED}/witness/key")).text
            )
        stranger = Cosigner.generate("c.example/coordination/log/witness").verifier
        lacking = quorum_problem(served_a, [witness_b, stranger], 2)
        assert lacking is not None
        assert "1 valid cosignature(s)" in lacking

        # The log grows; the next gathering proves consistency from the cosigned size.
        size_a = int(served_a.split("\n")[1])
        load_demo(system.app, origin=settings.origin)
        grown = await until_served_cosigned(
            app_a, WitnessTarget(B_ORIGIN, url_b), url_a, above=size_a
        )
        assert int(grown.split("\n")[1]) > size_a


async def test_a_witness_that_is_down_delays_nothing(settings: Settings, system: System) -> None:
    app = create_app(settings, system=system)
    with serve(app) as url:
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}{FEED}/checkpoint")).status_code in (200, 503)
        start = time.monotonic()
        down = WitnessTarget("down.example/coordination/log", "http://127.0.0.1:9")
        assert await gather_once(audit_of(app), [down]) == []
        assert time.monotonic() - start < 5.0
