"""A joint group on a node served by uvicorn, on both backends, through its GraphQL API and
its feed: the lead establishes it and takes its position, a partner's position arrives in
the synced logs, a joint decision listing a position that is not there is refused with a
typed error and records nothing, the one listing every verified position is adopted, and
`jointGroup` shows it all, each part marked with its log. In the feed, the group's
member sees the group's entries and the other partner sees stubs only."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest

from coordination.audit.keys import keys_dir
from coordination.audit.note import Signer
from coordination.audit.storage import open_storage
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.domain.joint_parts import joint_audience, joint_group_id
from coordination.federation.synced_logs import SyncedLogs
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.audit.support import serve

from .joint_support import synced_position
from .partner_support import FEED, IT, NL, NL_KEY, record_partners, signed, until_status

NAME = "Social accounting across borders"
GROUP = """query($id: UUID!) { jointGroup(uuid: $id) {
  id name topic leadOrigin members entry { origin }
  positions { origin position entry { origin eventId leafHash } }
  decision { statement entry { origin } positions { origin eventId leafHash position shown } }
} }"""
ADOPT = """mutation($input: AdoptJointDecisionInput!) { adoptJointDecision(input: $input) {
  __typename ... on UserError { message code } } }"""
AUDIENCE = re.compile(rb'"audience":"([^"]*)"')


@pytest.fixture
def it_key() -> Signer:
    return Signer.generate(IT)


@pytest.fixture
async def node(settings: Settings, system: System, it_key: Signer) -> AsyncIterator[str]:
    record_partners(system, settings.origin, it_key)
    with serve(create_app(settings, system=system)) as url:
        yield url


async def until(ask: Callable[[], Awaitable[Any]], done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 20
    while not done(answer := await ask()):
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.05)  # polling a condition with a deadline
    return answer


async def test_a_joint_decision_through_the_api_and_what_partners_see_of_it(
    node: str, settings: Settings, system: System, it_key: Signer
) -> None:
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    admin = {"Authorization": f"Bearer {issue_token(keys, role='admin', person=uuid4())}"}
    group = joint_group_id(settings.origin, NAME)

    async with httpx.AsyncClient(base_url=node, timeout=30) as client:

        async def gql(query: str, **variables: Any) -> dict[str, Any]:
            body = {"query": query, "variables": variables}
            answer = (await client.post("/graphql", json=body, headers=admin)).json()
            assert "errors" not in answer, answer
            data: dict[str, Any] = answer["data"]
            return data

        async def shown() -> dict[str, Any] | None:
            found: dict[str, Any] | None = (await gql(GROUP, id=str(group)))["jointGroup"]
            return found

        established = await gql(
            "mutation($input: EstablishJointGroupInput!) { establishJointGroup(input: $input)"
            " { __typename ... on CommandPayload { createdId } } }",
            input={"name": NAME, "topic": "SOCIAL_ACCOUNTING", "purpose": "One", "members": [IT]},
        )
        assert established["establishJointGroup"]["createdId"] == str(group)
        await gql(
            "mutation($input: TakeJointPositionInput!) { takeJointPosition(input: $input)"
            " { __typename } }",
            input={"groupId": str(group), "leadOrigin": settings.origin, "position": "AGREE"},
        )
        storage = open_storage(system.target, system.app)
        try:
            it = synced_position(SyncedLogs(storage), IT, group=group, lead=settings.origin)
        finally:
            storage.close()
        seen = await until(shown, lambda g: g is not None and len(g["positions"]) == 2)
        own = seen["positions"][0]["entry"]
        listed = [
            {"origin": settings.origin, "eventId": own["eventId"], "leafHash": own["leafHash"]},
            {"origin": IT, "eventId": it[1], "leafHash": it[2]},
        ]

        missing = [listed[0], {**listed[1], "eventId": str(uuid4())}]
        refused = await gql(
            ADOPT, input={"groupId": str(group), "statement": "S", "positions": missing}
        )
        assert refused["adoptJointDecision"]["__typename"] == "NotFound"
        assert f"is not in the synced log of {IT}" in refused["adoptJointDecision"]["message"]

        adopted = await gql(
            ADOPT, input={"groupId": str(group), "statement": "S", "positions": listed}
        )
        assert adopted["adoptJointDecision"]["__typename"] == "AdoptJointDecisionPayload"
        seen = await until(shown, lambda g: g["decision"] is not None)
        assert (seen["name"], seen["topic"], seen["leadOrigin"]) == (
            NAME,
            "SOCIAL_ACCOUNTING",
            settings.origin,
        )
        assert seen["members"] == [settings.origin, IT]
        assert [p["origin"] for p in seen["positions"]] == [settings.origin, IT]
        assert seen["positions"][1]["entry"] == {"origin": IT, "eventId": it[1], "leafHash": it[2]}
        assert seen["decision"]["entry"]["origin"] == settings.origin
        assert [
            (p["origin"], p["eventId"], p["leafHash"], p["position"], p["shown"])
            for p in seen["decision"]["positions"]
        ] == [(p["origin"], p["eventId"], p["leafHash"], "AGREE", True) for p in listed]

        # The feed: the member sees the group's entries, the other partner stubs only.
        head = f"{FEED}/entries?start=0&limit=1000"
        for partner, key, sees in ((IT, it_key, True), (NL, NL_KEY, False)):
            page = await until_status(
                lambda k=key: client.get(head, headers=signed(k, node, head)), 200
            )
            received = set(AUDIENCE.findall(page.content))
            assert (joint_audience(group).encode() in received) is sees, (partner, received)
