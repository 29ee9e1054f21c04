"""The joint-decision scenario over real HTTP: three nodes (uvicorn on free ports, each its
own database and keys, introduced through B8 events) with their sync workers running.
The lead establishes a joint group, each node takes its position in its own log, the
workers sync them, the lead adopts the decision, and all three show the same group, the
same positions (each marked with its origin) and the same decision. A decision listing a
position that does not exist, or whose leaf hash does not verify, is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from coordination.audit.keys import keys_dir
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.domain.joint_parts import joint_group_id
from coordination.settings import Settings

from .sync_support import introduce, node_settings, running, until

NAME = "Social accounting across borders"
GROUP = """query($id: UUID!) { jointGroup(uuid: $id) {
  id name topic leadOrigin members entry { origin eventId leafHash }
  positions { origin position entry { origin eventId leafHash } }
  decision { statement entry { origin eventId leafHash }
    positions { origin eventId leafHash position shown } }
} }"""
ESTABLISH = """mutation($input: EstablishJointGroupInput!) { establishJointGroup(input: $input)
  { __typename ... on UserError { message } } }"""
TAKE = """mutation($input: TakeJointPositionInput!) { takeJointPosition(input: $input)
  { __typename ... on UserError { message } } }"""
ADOPT = """mutation($input: AdoptJointDecisionInput!) { adoptJointDecision(input: $input)
  { __typename ... on UserError { message code } } }"""


class Api:
    """A node's GraphQL endpoint with an admin token of that node."""

    def __init__(self, settings: Settings, url: str) -> None:
        keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
        token = issue_token(keys, role="admin", person=uuid4())
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}

    async def run(self, query: str, **variables: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=30) as client:
            body = {"query": query, "variables": variables}
            answer = (
                await client.post(f"{self.url}/graphql", json=body, headers=self.headers)
            ).json()
        assert "errors" not in answer, answer
        data: dict[str, Any] = answer["data"]
        return data


async def test_three_nodes_show_the_same_joint_decision(tmp_path: Path) -> None:
    names = ("se", "it", "gr")
    nodes = {n: node_settings(tmp_path, n, sync=True) for n in names}
    se, it, gr = (nodes[n].origin for n in names)
    group = str(joint_group_id(se, NAME))
    with running(nodes["se"]) as a, running(nodes["it"]) as b, running(nodes["gr"]) as c:
        served = dict(zip(names, (a, b, c), strict=True))
        for name in names:
            introduce(served[name][2], [(nodes[o], served[o][1]) for o in names if o != name])
        api = {n: Api(nodes[n], served[n][1]) for n in names}

        async def shown(name: str) -> dict[str, Any] | None:
            found: dict[str, Any] | None = (await api[name].run(GROUP, id=group))["jointGroup"]
            return found

        async def everywhere(done: Any) -> bool:
            return all([done(await shown(n)) for n in names])

        established = await api["se"].run(
            ESTABLISH,
            input={
                "name": NAME,
                "topic": "SOCIAL_ACCOUNTING",
                "purpose": "One",
                "members": [it, gr],
            },
        )
        assert established["establishJointGroup"]["__typename"] == "EstablishJointGroupPayload"
        await until(lambda: everywhere(lambda g: g is not None), "the group synced to all")

        for name in names:
            taken = await api[name].run(
                TAKE, input={"groupId": group, "leadOrigin": se, "position": "AGREE"}
            )
            assert taken["takeJointPosition"]["__typename"] == "TakeJointPositionPayload", taken
        await until(
            lambda: everywhere(lambda g: len(g["positions"]) == 3), "every position synced to all"
        )
        lead = await shown("se")
        assert lead is not None
        listed = [
            {
                "origin": p["origin"],
                "eventId": p["entry"]["eventId"],
                "leafHash": p["entry"]["leafHash"],
            }
            for p in lead["positions"]
        ]
        assert [p["origin"] for p in listed] == [se, it, gr]

        async def adopt(positions: list[dict[str, str]]) -> dict[str, Any]:
            data = await api["se"].run(
                ADOPT, input={"groupId": group, "statement": "One method", "positions": positions}
            )
            result: dict[str, Any] = data["adoptJointDecision"]
            return result

        missing = await adopt([*listed[:2], {**listed[2], "eventId": str(uuid4())}])
        assert (missing["code"], f"not in the synced log of {gr}" in missing["message"]) == (
            "NOT_FOUND",
            True,
        )
        wrong = await adopt([listed[0], {**listed[1], "leafHash": "ab" * 32}, listed[2]])
        assert wrong["code"] == "RULE_VIOLATION"
        assert (
            f"has the leaf hash {listed[1]['leafHash']} in the synced log of {it}"
            in wrong["message"]
        )
        assert (await adopt(listed))["__typename"] == "AdoptJointDecisionPayload"

        await until(
            lambda: everywhere(lambda g: g["decision"] is not None), "the decision synced to all"
        )
        views = [await shown(n) for n in names]
        assert views[0] == views[1] == views[2]
        decision = views[0]["decision"]  # type: ignore[index]
        assert decision["entry"]["origin"] == se
        assert [(p["origin"], p["position"], p["shown"]) for p in decision["positions"]] == [
            (se, "AGREE", True),
            (it, "AGREE", True),
            (gr, "AGREE", True),
        ]
        assert [p["entry"]["origin"] for p in views[0]["positions"]] == [se, it, gr]  # type: ignore[index]
