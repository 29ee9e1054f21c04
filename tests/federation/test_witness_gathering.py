"""Two nodes over real HTTP (uvicorn on free ports) cosign each other's checkpoints, by the
background gathering of `serve`: `/checkpoint` serves the other's cosignature as an extra
signature line that verifies with the witness key registered for it in the node's own
log; a witness whose key is not registered, or that signs with another key than the one
registered, adds nothing; a witness that is down costs only its own line. Node A runs on
both backends, node B on SQLite."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from coordination.audit.cosignature import Cosigner
from coordination.audit.quorum import quorum_problem
from coordination.bootstrap import System, bootstrap
from coordination.federation.witness_gather import WitnessTarget, gather_once
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import serve

from .partner_support import FEED
from .witness_support import (
    audit_of,
    introduce,
    node_settings,
    size_of,
    until_served_with,
    witness_key_of,
)


async def test_two_nodes_cosign_each_other_s_checkpoints(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    other = bootstrap(node_settings(tmp_path, "b"))
    app_a, app_b = create_app(settings, system=system), create_app(other.settings, system=other)
    try:
        with serve(app_a) as url_a, serve(app_b) as url_b:
            introduce(system, [(other.settings, url_b)])
            introduce(other, [(settings, url_a)])
            witness_b, witness_a = witness_key_of(other.settings), witness_key_of(settings)
            served_a = await until_served_with(url_a, [witness_b], 1)
            await until_served_with(url_b, [witness_a], 1)

            # A quorum of two pinned witnesses is not met by one cosignature.
            stranger = Cosigner.generate("c.example/coordination/log/witness").verifier
            lacking = quorum_problem(served_a, [witness_b, stranger], 2)
            assert lacking is not None
            assert "1 valid cosignature(s)" in lacking

            # The log grows; the next gathering proves consistency from the cosigned size.
            load_demo(system.app, origin=settings.origin)
            grown = await until_served_with(url_a, [witness_b], 1, above=size_of(served_a))
            assert quorum_problem(grown, [witness_b], 1) is None
    finally:
        other.close()


async def test_only_the_registered_witness_key_counts(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    other = bootstrap(node_settings(tmp_path, "b"))
    app_a, app_b = create_app(settings, system=system), create_app(other.settings, system=other)
    try:
        with serve(app_a) as url_a, serve(app_b) as url_b:
            introduce(system, [(other.settings, url_b)], witness_keys=False)
            introduce(other, [(settings, url_a)])
            await until_served_with(url_b, [witness_key_of(settings)], 1)
            # B cosigns A's checkpoints; A holds no witness key of B, so it keeps nothing:
            # a key the witness serves is no reason to trust it.
            impostor = Cosigner.generate(witness_key_of(other.settings).name).verifier
            target = WitnessTarget(other.settings.origin, url_b, impostor)
            (answer,) = await gather_once(audit_of(app_a), [target])
            assert answer.cosignature is None
            assert answer.problem is not None
            assert "holds no valid cosignature" in answer.problem
            async with httpx.AsyncClient() as client:
                served = (await client.get(f"{url_a}{FEED}/checkpoint")).text
            assert quorum_problem(served, [witness_key_of(other.settings)], 1) is not None
    finally:
        other.close()


async def test_a_witness_that_is_down_delays_nothing(settings: Settings, system: System) -> None:
    app = create_app(settings, system=system)
    with serve(app) as url:
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}{FEED}/checkpoint")).status_code in (200, 503)
        start = time.monotonic()
        key = Cosigner.generate("down.example/coordination/log/witness").verifier
        down = WitnessTarget("down.example/coordination/log", "http://127.0.0.1:9", key)
        (answer,) = await gather_once(audit_of(app), [down])
        assert answer.cosignature is None
        assert time.monotonic() - start < 5.0
