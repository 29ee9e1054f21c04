"""The scenario of `make federation`: a joint social-accounting working group led by the
first node (se), each node's position in its own log, the lead's joint decision listing
them all, and the same verified decision shown on every node. Through each node's
GraphQL API, as its secretariat would; every wait is on a condition, with a timeout."""

from __future__ import annotations

from typing import Any

from infra.federation_nodes import FederationError, Node, graphql, wait_until
from infra.federation_scenario import command, each

GROUP = "Social accounting across the five partnerships"
PURPOSE = "One way of accounting for social value, audited alike in every partnership"
STATEMENT = "The five partnerships account for their social value with one shared framework"
SYNC_TIMEOUT_S = 180.0
JOINT_GROUP = """query($g: UUID!) { jointGroup(uuid: $g) { id name topic leadOrigin members
  positions { origin position entry { eventId leafHash } }
  decision { statement entry { origin index leafHash }
    positions { origin eventId leafHash position shown } } } }"""


def joint_group(node: Node, group: str) -> dict[str, Any] | None:
    """The group as ``node``'s merged view shows it (None while it does not know it)."""
    found: dict[str, Any] | None = graphql(node, JOINT_GROUP, {"g": group})["jointGroup"]
    return found


def establish(lead: Node, members: list[Node]) -> str:
    """The group, established in the lead's log; its id (the same on every node)."""
    given = {
        "name": GROUP,
        "topic": "SOCIAL_ACCOUNTING",
        "purpose": PURPOSE,
        "members": [member.origin for member in members],
    }
    query = (
        "mutation($input: EstablishJointGroupInput!) { establishJointGroup(input: $input) {"
        " __typename ... on UserError { message }"
        " ... on EstablishJointGroupPayload { createdId } } }"
    )
    answer = graphql(lead, query, {"input": given})["establishJointGroup"]
    if "createdId" not in answer:
        raise FederationError(f"{lead.code}: establishJointGroup refused: {answer}")
    return str(answer["createdId"])


def positions_synced(lead: Node, group: str, nodes: list[Node]) -> bool:
    """Whether the lead's view holds every member's position, each from its own log."""
    shown = joint_group(lead, group)
    return shown is not None and len(shown["positions"]) == len(nodes)


def decided_everywhere(group: str, nodes: list[Node]) -> bool:
    """Whether every node shows the joint decision, every listed position verified."""
    for node in nodes:
        shown = joint_group(node, group)
        decision = shown and shown["decision"]
        if not decision or not all(p["shown"] for p in decision["positions"]):
            return False
    return True


def play(nodes: list[Node]) -> str:
    """The whole scenario; the group's id."""
    lead, members = nodes[0], nodes[1:]
    group = establish(lead, members)

    def take_position(node: Node) -> None:
        # A member takes its position once it holds the group, synced from the lead's
        # log: until then its feed shows the lead only a stub of that position (it does
        # not know the lead belongs to the group), and a synced stub is not fetched again.
        wait_until(
            f"{node.code} to hold the group, synced from {lead.code}",
            lambda: joint_group(node, group) is not None,
            SYNC_TIMEOUT_S,
        )
        given = {"groupId": group, "leadOrigin": lead.origin, "position": "AGREE"}
        command(node, "takeJointPosition", given)

    each(nodes, take_position)
    wait_until(
        f"{lead.code} to hold every member's position, synced and verified",
        lambda: positions_synced(lead, group, nodes),
        SYNC_TIMEOUT_S,
    )
    shown = joint_group(lead, group)
    assert shown is not None
    listed = [
        {
            "origin": p["origin"],
            "eventId": p["entry"]["eventId"],
            "leafHash": p["entry"]["leafHash"],
        }
        for p in shown["positions"]
    ]
    command(
        lead, "adoptJointDecision", {"groupId": group, "statement": STATEMENT, "positions": listed}
    )
    wait_until(
        "every node to show the joint decision, every position verified",
        lambda: decided_everywhere(group, nodes),
        SYNC_TIMEOUT_S,
    )
    return group


def group_lines(node: Node, group: str) -> list[str]:
    """The joint group as ``node`` shows it."""
    shown = joint_group(node, group)
    if shown is None:
        return ["  joint group: not known here"]
    lines = [f"  joint group {shown['name']!r} ({shown['topic']}), led by {shown['leadOrigin']}"]
    lines += [f"    position of {p['origin']}: {p['position']}" for p in shown["positions"]]
    decision = shown["decision"]
    if decision is None:
        return [*lines, "    joint decision: none yet"]
    entry = decision["entry"]
    verified = sum(p["shown"] for p in decision["positions"])
    lines.append(f"    joint decision: {decision['statement']!r}")
    lines.append(
        f"      entry {entry['index']} of {entry['origin']}, leaf hash {entry['leafHash']};"
        f" {verified} of {len(decision['positions'])} listed positions verified here"
    )
    return lines
