"""What subscriptions send, over a real WebSocket: no more than the queries show, and
the node's internal records only when asked for.

A follow-up raised at a partnership workshop about a working group's action reached
every signed-in subscriber (the workshop's audience), though the action itself is read
by the group's members only; an admin's subscription carried every idempotency record
with its fingerprint; and a group's view updates went on reaching a subscriber whose
mandate had ended.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from coordination.auth.principal import Principal, Role
from coordination.bootstrap import System
from coordination.domain.command_record import command_record_id
from coordination.graphql import visibility
from tests.graphql import test_subscriptions as live
from tests.graphql.scenario import Scenario, unique

#: The uvicorn-served node of the subscription tests.
server = live.server

EVENTS = (
    "subscription($after: Int, $types: [String!], $internal: Boolean! = false) {"
    " events(afterLogPosition: $after, types: $types, includeInternal: $internal)"
    " { type streamId audience data } }"
)
THEME = "coordination.partnership.theme_defined.v1"
FOLLOW_UP = "coordination.workshop.follow_up_raised.v1"
HANDLED = "coordination.command.handled.v1"


def partnership_workshop(scn: Scenario) -> UUID:
    """A held workshop organised by the partnership's partners, no working group."""
    starts = scn.start + timedelta(days=2)
    workshop = scn.created(
        scn.app.plan_workshop(
            scn.secretariat(),
            partnership_id=scn.partnership,
            organiser_group_ids=[],
            organiser_partners=["The secretariat"],
            theme_id=scn.theme,
            title=unique("Partnership day"),
            format="online",
            venue=None,
            capacity=100,
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            audience_description="every member organisation",
        )
    )
    scn.app.hold_workshop(scn.secretariat(starts + timedelta(hours=1)), workshop)
    return workshop


async def until_theme(websocket: Any, name: str) -> list[dict[str, Any]]:
    """The events received up to the theme `name` (sent last, to everyone), that one out."""
    received = []
    while True:
        event = (await live.next_data(websocket))["events"]
        if event["type"] == THEME and event["data"]["name"] == name:
            return received
        received.append(event)


async def test_a_follow_up_about_a_groups_action_reaches_only_those_who_read_the_action(
    server: live.Server, scenario: Scenario, system: System
) -> None:
    scn = scenario
    workshop = partnership_workshop(scn)
    former = uuid4()
    mandate = scn.created(
        scn.app.appoint_representative(
            scn.secretariat(),
            scn.partnership,
            member_id=scn.orgs["B"],
            person_id=former,
            starts_on=scn.start.date(),
        )
    )
    now = datetime.now(UTC)
    scn.app.end_representation(
        scn.secretariat(at=now),
        scn.partnership,
        mandate_id=mandate,
        ended_on=now.date() - timedelta(days=1),
    )
    await server.caught_up(system)
    head = system.app.recorder.max_notification_id() or 0
    subscribers = {
        "member": scn.principal("representative"),  # B, a member of G
        "stranger": scn.principal("representative_other"),  # C, not in G
        "former": Principal(Role.REPRESENTATIVE, former, org=scn.orgs["B"]),
    }
    sockets = {label: await live.open_socket(server, who) for label, who in subscribers.items()}
    try:
        for websocket in sockets.values():
            await live.acknowledged(websocket)
            await live.subscribe(websocket, EVENTS, {"after": head})
        raised = {}
        for group, owner in ((scn.group, "B"), (None, "C")):
            payload = await live.mutate(
                server,
                scn.principal("admin"),
                "raiseFollowUp",
                {
                    "workshopId": str(workshop),
                    "description": f"Write the guide for {owner}",
                    "ownerId": str(scn.orgs[owner]),
                    "groupId": str(group) if group else None,
                    "dueOn": (now.date() + timedelta(days=30)).isoformat(),
                },
            )
            raised[group] = payload["createdId"]
        await live.mutate(
            server,
            scn.principal("admin"),
            "defineTheme",
            {"partnershipId": str(scn.partnership), "name": "After the follow-ups"},
        )
        seen = {}
        for label, websocket in sockets.items():
            events = await until_theme(websocket, "After the follow-ups")
            seen[label] = {
                event["data"]["action_id"] for event in events if event["type"] == FOLLOW_UP
            }
        assert seen["member"] == {raised[scn.group], raised[None]}
        # Queries show them `action: null`; the subscription now agrees.
        assert seen["stranger"] == {raised[None]}
        # A token that outlived its mandate is shown what anonymous callers are: no
        # follow-up at all (a follow-up has the partnership's audience at the least).
        assert seen["former"] == set()
    finally:
        for websocket in sockets.values():
            await websocket.close()


async def test_internal_records_are_sent_only_when_asked_for(
    server: live.Server, scenario: Scenario, system: System
) -> None:
    scn = scenario
    admin = scn.principal("admin")
    await server.caught_up(system)
    head = system.app.recorder.max_notification_id() or 0
    asks: dict[str, dict[str, Any]] = {
        "plain": {"after": head},
        "include": {"after": head, "internal": True},
        "named": {"after": head, "types": [HANDLED, THEME]},
    }
    sockets = {label: await live.open_socket(server, admin) for label in asks}
    try:
        for label, websocket in sockets.items():
            await live.acknowledged(websocket)
            await live.subscribe(websocket, EVENTS, asks[label])
        key = "define-housing"
        await live.mutate(
            server,
            admin,
            "defineTheme",
            {"partnershipId": str(scn.partnership), "name": "Housing", "idempotencyKey": key},
        )
        await live.mutate(
            server, admin, "defineTheme", {"partnershipId": str(scn.partnership), "name": "End"}
        )
        types = {
            label: [event["type"] for event in await until_theme(websocket, "End")]
            for label, websocket in sockets.items()
        }
        assert types["plain"] == [THEME]
        assert sorted(types["include"]) == sorted([THEME, HANDLED])
        assert sorted(types["named"]) == sorted([THEME, HANDLED])
    finally:
        for websocket in sockets.values():
            await websocket.close()

    # The audit trail alike.
    record = command_record_id(str(scn.admin), key)
    trail = "query($w: AuditFilter) { auditTrail(where: $w) { edges { node { type } } } }"
    async with httpx.AsyncClient(base_url=f"http://{server.url}") as client:
        answers = {}
        for label, where in {
            "plain": {"streamId": str(record)},
            "include": {"streamId": str(record), "includeInternal": True},
            "named": {"streamId": str(record), "types": [HANDLED]},
        }.items():
            response = await client.post(
                "/graphql",
                json={"query": trail, "variables": {"w": where}},
                headers={"Authorization": f"Bearer {server.token(admin)}"},
            )
            edges = response.json()["data"]["auditTrail"]["edges"]
            answers[label] = [edge["node"]["type"] for edge in edges]
    assert answers == {"plain": [], "include": [HANDLED], "named": [HANDLED]}


VIEW_UPDATES = (
    "subscription($forum: UUID!) { viewUpdates(forumId: $forum) { view logPosition forumIds } }"
)


async def test_view_updates_end_when_the_subscribers_mandate_does(
    server: live.Server, scenario: Scenario, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forum was checked once, at subscribe time, and never again."""
    monkeypatch.setattr(visibility, "FORUMS_TTL", 0.0)  # read the standing at every update
    scn = scenario
    person = uuid4()
    mandate = scn.created(
        scn.app.appoint_representative(
            scn.secretariat(),
            scn.partnership,
            member_id=scn.orgs["B"],
            person_id=person,
            starts_on=scn.start.date(),
        )
    )
    decision = scn.fresh_decision(scn.group)
    await server.caught_up(system)
    websocket = await live.open_socket(
        server, Principal(Role.REPRESENTATIVE, person, org=scn.orgs["B"])
    )

    async def next_message(attempts: int) -> dict[str, Any]:
        """The next message, posting to the group's decision until one comes (the
        subscription starts on the server in its own time)."""
        for attempt in range(attempts):
            await live.mutate(
                server,
                scn.principal("convenor"),
                "postContribution",
                {"decisionId": str(decision), "text": f"Contribution {attempt}"},
            )
            try:
                async with asyncio.timeout(2):
                    message: dict[str, Any] = json.loads(await websocket.recv())
                    return message
            except TimeoutError:
                continue
        raise AssertionError("no message came")

    try:
        await live.acknowledged(websocket)
        await live.subscribe(websocket, VIEW_UPDATES, {"forum": str(scn.group)})
        first = await next_message(5)
        assert first["type"] == "next", first
        assert "errors" not in first["payload"], first
        now = datetime.now(UTC)
        scn.app.end_representation(
            scn.secretariat(at=now),
            scn.partnership,
            mandate_id=mandate,
            ended_on=now.date() - timedelta(days=1),
        )
        await server.caught_up(system)
        for _ in range(5):  # updates may already be under way when the mandate ends
            message = await next_message(5)
            if message["payload"].get("errors"):
                break
        else:
            raise AssertionError("the subscription went on after the mandate ended")
        (error,) = message["payload"]["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "no longer) represent" in error["message"]
    finally:
        await websocket.close()
