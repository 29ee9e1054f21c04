"""`make federation`'s script end to end with three of the five nodes (se leads; it on
PostgreSQL, se and gr on SQLite): each started as `coordination serve`, introduced through
its own GraphQL API, the joint social-accounting scenario played over real HTTP, and
every node showing the same verified joint decision with its own checkpoint cosigned by
the other two; then stopped by their pid files, their data kept."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.federation_joint import joint_group, play
from infra.federation_nodes import Node, free_port, plan, prepare, save, saved, start, stop
from infra.federation_nodes import wait_ready as node_ready
from infra.federation_report import report, witnessed_checkpoints
from infra.federation_scenario import cosigned_by_all, cosigners, each, introduce

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(420)]

CODES = ["se", "it", "gr"]


@pytest.fixture
def nodes(tmp_path: Path, postgres_schema_url: str) -> Iterator[list[Node]]:
    planned = plan(tmp_path, CODES, [free_port() for _ in CODES], lambda _: postgres_schema_url)
    save(tmp_path, planned)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        each(planned, prepare)
        processes += [start(node) for node in planned]
        for node, process in zip(planned, processes, strict=True):
            node_ready(node, process)
        yield planned
    finally:
        for node in planned:
            stop(node)
        for process in processes:
            if process.poll() is None:  # a node `stop` did not end: the test fails below
                process.kill()
                process.wait()


def test_three_nodes_show_the_same_verified_joint_decision_cosigned_by_the_others_then_stop(
    tmp_path: Path, nodes: list[Node]
) -> None:
    assert [node.backend for node in nodes] == ["SQLite", "PostgreSQL", "SQLite"]
    introduce(nodes)
    group = play(nodes)
    cosigned_by_all(nodes)

    decisions = []
    for node in nodes:
        shown = joint_group(node, group)
        assert shown is not None
        assert shown["leadOrigin"] == nodes[0].origin
        assert sorted(p["origin"] for p in shown["positions"]) == sorted(n.origin for n in nodes)
        decision = shown["decision"]
        assert decision is not None
        assert [p["shown"] for p in decision["positions"]] == [True] * len(nodes)
        decisions.append((decision["entry"], decision["statement"]))
        assert cosigners(node, nodes) == sorted(n.code for n in nodes if n is not node)
        peers = witnessed_checkpoints(node)
        assert sorted(peers) == sorted(n.origin for n in nodes if n is not node)
    assert all(decision == decisions[0] for decision in decisions)

    printed = report(nodes, group)
    assert printed.count("3 of 3 listed positions verified here") == len(nodes)
    for node in nodes:
        others = ", ".join(sorted(n.code for n in nodes if n is not node))
        assert f"{node.code}  {node.url}  {node.origin}" in printed
        assert f"cosigned by: {others}" in printed

    # `down` stops each node by its pid file, and keeps its data.
    assert [n.origin for n in saved(tmp_path)] == [n.origin for n in nodes]
    pids = [int(node.pid_file.read_text()) for node in nodes]
    assert [stop(node) for node in nodes] == [True] * len(nodes)
    assert [stop(node) for node in nodes] == [False] * len(nodes)
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid)
    assert (nodes[0].directory / "coordination.db").exists()
    assert (nodes[0].directory / "keys" / "log-signing.key").exists()


def _zombie(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "Z"
