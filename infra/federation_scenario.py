"""What `make federation` has the nodes do, each through its own command line and HTTP
as its operator would: introduce them to each other (B8 events in each node's own log),
then wait until every node's checkpoint is cosigned by the others."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from infra.federation_nodes import FEED, FederationError, Node, graphql, wait_until

AGREEMENT = "Cooperation agreement of the five partnerships for the social economy"
SEES = ["public", "transnational"]
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


def command(node: Node, mutation: str, given: dict[str, Any]) -> None:
    """Run one mutation on ``node`` (its input as ``$input``), as its admin.

    Raises:
        FederationError: The node refused it; with its reason.
    """
    query = (
        f"mutation($input: {mutation[0].upper()}{mutation[1:]}Input!) {{ {mutation}(input: $input)"
        " { __typename ... on UserError { message } } }"
    )
    answer = graphql(node, query, {"input": given})[mutation]
    if "message" in answer:
        raise FederationError(f"{node.code}: {mutation} refused: {answer['message']}")


def introduce(nodes: list[Node]) -> None:
    """Each node signs the agreement with the others, admits each with its base URL and
    what it may see, and registers its log key and its witness key as fetched from the
    partner's public endpoints (the vkey's type tells them apart): the events of B8, in
    its own log, through its GraphQL API."""
    keys = {node.origin: (log_key(node), witness_key(node)) for node in nodes}
    document_hash = hashlib.sha256(AGREEMENT.encode()).hexdigest()

    def introduce_one(node: Node) -> None:
        others = [other for other in nodes if other is not node]
        parties = [{"origin": other.origin, "sees": SEES} for other in others]
        agreement = {"title": AGREEMENT, "documentHash": document_hash, "parties": parties}
        command(node, "signCooperationAgreement", agreement)
        for other in others:
            admission = {"origin": other.origin, "name": other.name, "baseUrl": other.url}
            command(node, "admitPartner", {**admission, "sees": SEES})
            for vkey in keys[other.origin]:
                command(node, "registerPartnerKey", {"origin": other.origin, "vkey": vkey})

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


def cosigned_by_others(node: Node, nodes: list[Node]) -> Callable[[], bool]:
    """Whether ``node`` serves a checkpoint cosigned by every other node."""
    return lambda: len(cosigners(node, nodes)) == len(nodes) - 1


def cosigned_by_all(nodes: list[Node]) -> None:
    """Until every node serves a checkpoint cosigned by every other node (each node's
    `serve` gathers its cosignatures itself)."""
    for node in nodes:
        what = f"{node.code}'s checkpoint cosigned by the other {len(nodes) - 1}"
        wait_until(what, cosigned_by_others(node, nodes), COSIGN_TIMEOUT_S)
