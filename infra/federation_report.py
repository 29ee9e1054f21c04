"""What `make federation` prints from every node: its own checkpoint and the witnesses
whose cosignature on it verifies, and what its GraphQL API shows of its partners."""

from __future__ import annotations

import httpx

from infra.federation_joint import group_lines
from infra.federation_nodes import FEED, Node, graphql
from infra.federation_scenario import cosigners, served_checkpoint

WITNESSED = "coordination.peer.checkpoint_witnessed.v1"
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


def witnessed_checkpoints(node: Node) -> dict[str, tuple[int, str]]:
    """The latest checkpoint of each peer that ``node`` verified and stored whole, as its
    own log records it (`PeerCheckpointWitnessed`), read from its feed as an auditor would."""
    latest: dict[str, tuple[int, str]] = {}
    headers = {"Authorization": f"Bearer {node.admin_token()}"}
    path: str | None = f"{FEED}/entries?start=0&limit=1000"
    while path is not None:
        answer = httpx.get(f"{node.url}{path}", headers=headers, timeout=30.0)
        answer.raise_for_status()
        page = answer.json()
        for item in page["entries"]:
            event = item["event"]
            if event is not None and event["type"] == WITNESSED:
                data = event["data"]
                latest[data["peer_origin"]] = (data["size"], data["root"])
        path = page["next"]
    return latest


def peer_lines(node: Node) -> list[str]:
    lines = ["  peers' checkpoints verified here (PeerCheckpointWitnessed in its own log):"]
    for origin, (size, root) in sorted(witnessed_checkpoints(node).items()):
        lines.append(f"    {origin}  size {size}, root {root}")
    return lines


def report(nodes: list[Node], group: str) -> str:
    """What every node shows, one block per node."""
    blocks = []
    for node in nodes:
        header = f"{node.code}  {node.url}  {node.origin}  ({node.backend})"
        parts = [
            *group_lines(node, group),
            *checkpoint_lines(node, nodes),
            *peer_lines(node),
            *partner_lines(node),
        ]
        blocks.append("\n".join([header, *parts]))
    return "\n\n".join(blocks)
