"""What `make federation` has the nodes do, each through its own command line and HTTP
as its operator would: introduce them to each other (B8 events in each node's own log),
then gather every node's checkpoint cosignatures from the others."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from infra.federation_nodes import FEED, Node, coordination, wait_until

AGREEMENT = "Cooperation agreement of the five partnerships for the social economy"
SEES = "public,transnational"
COSIGN_TIMEOUT_S = 120.0


def each(nodes: list[Node], work: Callable[[Node], object]) -> None:
    """Run ``work`` for every node at once (each node's steps stay in order)."""
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        for _ in pool.map(work, nodes):
            pass


def log_key(node: Node) -> str:
    """The node's log verifier key, as anyone fetches it from its public `/key`."""
    answer = httpx.get(f"{node.url}{FEED}/key", timeout=10.0)
    answer.raise_for_status()
    return answer.text.strip()


def witness_key(node: Node) -> str:
    """The node's witness verifier key, from its public `/witness/key`."""
    answer = httpx.get(f"{node.url}{FEED}/witness/key", timeout=10.0)
    answer.raise_for_status()
    return answer.text.strip()


def registers_witness_keys(node: Node) -> bool:
    """Whether this release records partners' witness keys (`partners register-witness-key`)."""
    return "register-witness-key" in coordination(node, "partners", "--help")


def introduce(nodes: list[Node]) -> None:
    """Each node signs the agreement with the others, admits each with its base URL and
    what it may see, and registers its log key (and witness key, where the release
    records them) as fetched from the partner's public endpoints."""
    keys = {node.origin: log_key(node) for node in nodes}
    witnesses = {node.origin: witness_key(node) for node in nodes}
    with_witness = registers_witness_keys(nodes[0])
    document_hash = hashlib.sha256(AGREEMENT.encode()).hexdigest()

    def introduce_one(node: Node) -> None:
        others = [other for other in nodes if other is not node]
        parties = [word for other in others for word in ("--party", f"{other.origin}={SEES}")]
        coordination(
            node,
            "partners",
            "sign",
            "--title",
            AGREEMENT,
            "--document-hash",
            document_hash,
            *parties,
        )
        for other in others:
            coordination(
                node,
                "partners",
                "admit",
                other.origin,
                "--name",
                other.name,
                "--base-url",
                other.url,
                "--sees",
                SEES,
            )
            coordination(node, "partners", "register-key", other.origin, keys[other.origin])
            if with_witness:
                coordination(
                    node, "partners", "register-witness-key", other.origin, witnesses[other.origin]
                )

    each(nodes, introduce_one)


def served_checkpoint(node: Node) -> str | None:
    """The node's checkpoint as it serves it, cosignatures included; None before its first."""
    try:
        answer = httpx.get(f"{node.url}{FEED}/checkpoint", timeout=10.0)
    except httpx.HTTPError:
        return None
    return answer.text if answer.status_code == 200 else None


def cosigners(node: Node, nodes: list[Node]) -> list[str]:
    """The codes of the nodes whose witness cosignature on ``node``'s served checkpoint
    verifies with the witness key they publish."""
    from coordination.audit.cosignature import CosignatureVerifier, cosigned_by

    note = served_checkpoint(node)
    if note is None:
        return []
    verifiers = {
        CosignatureVerifier.from_vkey(witness_key(other)): other.code
        for other in nodes
        if other is not node
    }
    return sorted(verifiers[w] for w in cosigned_by(note, verifiers))


def gather_by_hand(node: Node, nodes: list[Node]) -> None:
    """Ask every other node to cosign ``node``'s latest checkpoint, with the node's own
    log and witness store (`gather_once`), for a release whose `serve` does not gather
    on its own."""
    from coordination.audit.keys import load_signer
    from coordination.audit.log import open_audit_log
    from coordination.bootstrap import bootstrap
    from coordination.federation.witness_gather import WitnessTarget, gather_once
    from coordination.settings import Settings

    settings = Settings(
        database_url=node.database_url,
        data_dir=node.directory,
        origin=node.origin,
        env="development",
    )
    system = bootstrap(settings, create_tables=False)
    audit = open_audit_log(
        system.target, system.app, origin=node.origin, verifier=load_signer(settings).verifier
    )
    try:
        targets = [WitnessTarget(o.origin, o.url) for o in nodes if o is not node]
        asyncio.run(gather_once(audit, targets))
    finally:
        audit.close()
        system.close()


def cosigned_by_all(nodes: list[Node], gathers: bool) -> None:
    """Until every node serves a checkpoint cosigned by every other node; when ``gathers``
    is False (`serve` does not gather on its own), gathering by hand meanwhile."""

    def all_cosign(node: Node) -> Callable[[], bool]:
        def check() -> bool:
            if not gathers:
                gather_by_hand(node, nodes)
            return len(cosigners(node, nodes)) == len(nodes) - 1

        return check

    each(
        nodes,
        lambda node: wait_until(
            f"{node.code}'s checkpoint cosigned by all", all_cosign(node), COSIGN_TIMEOUT_S
        ),
    )
