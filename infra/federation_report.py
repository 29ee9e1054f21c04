"""What `make federation` prints from every node: its own checkpoint and the witnesses
whose cosignature on it verifies, and what its GraphQL API shows of its partners."""

from __future__ import annotations

from infra.federation_nodes import Node, graphql
from infra.federation_scenario import cosigners, served_checkpoint

PARTNERS = """{ partners { origin baseUrl sees
    keys { keyId validUntil } witnessKeys { keyId validUntil } } }"""


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
        log_keys, witness_keys = (
            ", ".join(k["keyId"] for k in partner[kind] if k["validUntil"] is None) or "none"
            for kind in ("keys", "witnessKeys")
        )
        lines.append(
            f"    {partner['origin']}  {partner['baseUrl']}  sees {','.join(partner['sees'])}"
            f"  log key {log_keys}  witness key {witness_keys}"
        )
    return lines


def report(nodes: list[Node]) -> str:
    """What every node shows, one block per node."""
    blocks = []
    for node in nodes:
        header = f"{node.code}  {node.url}  {node.origin}  ({node.backend})"
        blocks.append("\n".join([header, *checkpoint_lines(node, nodes), *partner_lines(node)]))
    return "\n\n".join(blocks)
