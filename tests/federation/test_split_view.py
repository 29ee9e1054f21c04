"""A split view caught by the witnesses (FEED-PROTOCOL §7): one node's origin and log key
serving two histories (two stores, the keys directory copied), witnessed by three partner
nodes over real HTTP (uvicorn on free ports). The witnesses cosign the first history they
see and refuse the other (409, or 422 when its proof does not verify), so `verify
--witness … --quorum 2` accepts the first node and refuses the fork. And a witness that is
down costs only its own cosignature: the others still make the quorum."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from rich.console import Console

from coordination.audit.keys import keys_dir, load_or_create_signer
from coordination.bootstrap import System, bootstrap
from coordination.cli.audit import verify
from coordination.federation.witness_gather import gather_once
from coordination.federation.witness_gathering import current_targets
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import serve

from .witness_support import (
    audit_of,
    introduce,
    node_settings,
    size_of,
    until_served_with,
    witness_key_of,
)


def _verify(url: str, witnesses: list[str], quorum: int) -> tuple[int, str]:
    console = Console(record=True, width=200)
    code = verify(url, witnesses=witnesses, quorum=quorum, console=console)
    return code, console.export_text()


async def test_witnesses_refuse_a_second_history_and_verify_refuses_the_fork(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    load_or_create_signer(settings)
    fork_settings = node_settings(tmp_path, "fork", origin=settings.origin)
    shutil.copytree(keys_dir(settings), keys_dir(fork_settings))  # the same log key
    nodes = [bootstrap(node_settings(tmp_path, f"w{n}")) for n in (1, 2, 3)]
    fork = bootstrap(fork_settings)
    witness_keys = [witness_key_of(node.settings) for node in nodes]
    pinned = [key.vkey for key in witness_keys]
    try:
        with contextlib.ExitStack() as stack:
            urls = [stack.enter_context(serve(create_app(n.settings, system=n))) for n in nodes]
            url = stack.enter_context(serve(create_app(settings, system=system)))
            fork_app = create_app(fork_settings, system=fork)
            fork_url = stack.enter_context(serve(fork_app))
            for node in nodes:
                introduce(node, [(settings, url)], witness_keys=False)
            witnesses = [(node.settings, u) for node, u in zip(nodes, urls, strict=True)]
            introduce(system, witnesses)
            first = await until_served_with(url, witness_keys, 3)

            # The fork records another history under the same origin and key.
            introduce(fork, witnesses)
            load_demo(fork.app, origin=settings.origin)
            targets, _ = await current_targets(fork.app)
            assert len(targets) == 3
            answers = await gather_once(audit_of(fork_app), targets)
            assert [a.cosignature for a in answers] == [None, None, None]
            for answer in answers:
                assert answer.problem is not None
                assert "refused (409)" in answer.problem or "refused (422)" in answer.problem
            for node in nodes:
                held = node_held(node, settings.origin)
                assert held == size_of(first) or held > size_of(first)  # the first history's

            code, output = _verify(fork_url, pinned, 2)
            assert code == 1, output
            assert "witness quorum" in output
            assert "0 valid cosignature(s)" in output
            code, output = _verify(url, pinned, 2)
            assert code == 0, output
    finally:
        for node in (*nodes, fork):
            node.close()


def node_held(node: System, origin: str) -> int:
    """The size of the last checkpoint of ``origin`` the witness ``node`` cosigned."""
    from coordination.audit.log import open_audit_log

    signer = load_or_create_signer(node.settings)
    log = open_audit_log(
        node.target, node.app, origin=node.settings.origin, verifier=signer.verifier
    )
    try:
        held = log.witness_store.last_witnessed(origin)
    finally:
        log.close()
    assert held is not None
    return held.size


async def test_a_quorum_is_gathered_with_a_witness_down(
    settings: Settings, system: System, tmp_path: Path
) -> None:
    nodes = [bootstrap(node_settings(tmp_path, f"w{n}")) for n in (1, 2, 3)]
    witness_keys = [witness_key_of(node.settings) for node in nodes]
    try:
        with contextlib.ExitStack() as stack:
            servers = [serve(create_app(n.settings, system=n)) for n in nodes]
            urls = [stack.enter_context(server) for server in servers]
            url = stack.enter_context(serve(create_app(settings, system=system)))
            for node in nodes:
                introduce(node, [(settings, url)], witness_keys=False)
            introduce(system, [(node.settings, u) for node, u in zip(nodes, urls, strict=True)])
            first = await until_served_with(url, witness_keys, 3)

            servers[2].__exit__(None, None, None)  # the third witness goes down
            load_demo(system.app, origin=settings.origin)
            grown = await until_served_with(url, witness_keys, 2, above=size_of(first))
            code, output = _verify(url, [key.vkey for key in witness_keys], 2)
            assert code == 0, output
            assert len(grown.rstrip("\n").split("\n")) == 4 + 1 + 2  # note, log's line, two
    finally:
        for node in nodes:
            node.close()
