"""What `make federation` prints from every node: its own checkpoint and the witnesses
whose cosignature on it verifies, and what its GraphQL API shows of its partners."""

from __future__ import annotations

from typing import Any

import httpx

from infra.federation_nodes import FederationError, Node
from infra.federation_scenario import cosigners, served_checkpoint

PARTNERS = "{ partners { origin admitted baseUrl sees keys { keyId validUntil } } }"


def graphql(node: Node, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ask ``node``'s GraphQL API with its admin token; the data.

    Raises:
        FederationError: The answer had errors.
    """
    answer = httpx.post(
        f"{node.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {node.admin_token()}"},
        timeout=30.0,
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise FederationError(
            f"{node.code}: GraphQL answered {answer.status_code}: {body.get('errors')}"
        )
    data: dict[str, Any] = body["data"]
    return data


def checkpoint_lines(node: Node, nodes: list[Node]) -> list[str]:
    note = served_checkpoint(node)
    if note is None:
        return ["  own checkpoint: none signed yet"]
    _origin, size, root = note.split("\n")[:3]
    by = cosigners(node, nodes)
    return [
        f"  own checkpoint: size {size}, root {root}",
        f"    cosigned by: {', '.join(by) or 'nobody yet'}",
    ]


def partner_lines(node: Node) -> list[str]:
    lines = ["  partners (its own log's B8 record):"]
    for partner in graphql(node, PARTNERS)["partners"]:
        in_force = [k["keyId"] for k in partner["keys"] if k["validUntil"] is None]
        lines.append(
            f"    {partner['origin']}  {partner['baseUrl']}  sees {','.join(partner['sees'])}"
            f"  key {', '.join(in_force) or 'none'}"
        )
    return lines


def report(nodes: list[Node]) -> str:
    """What every node shows, one block per node."""
    blocks = []
    for node in nodes:
        header = f"{node.code}  {node.url}  {node.origin}  ({node.backend})"
        blocks.append("\n".join([header, *checkpoint_lines(node, nodes), *partner_lines(node)]))
    return "\n\n".join(blocks)
