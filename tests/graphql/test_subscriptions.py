"""Subscriptions over a real WebSocket (graphql-transport-ws) on a real uvicorn server."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import jwt
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from coordination.audit.keys import keys_dir
from coordination.auth.principal import Principal
from coordination.auth.revocation import RevocationList
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.bootstrap.graphql import start_graphql
from coordination.graphql.router import GraphQLApi
from coordination.observability import Metrics
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.conftest import build_http_app
from tests.graphql.scenario import Scenario

PROTOCOL = "graphql-transport-ws"
TIMEOUT = 10.0
EVENTS = (
    "subscription($after: Int, $types: [String!]) { events(afterLogPosition: $after, types: $types)"
    " { type streamId version logPosition actor actingFor audience data } }"
)


@dataclass
class Server:
    url: str
    keys: TokenKeys
    projections: Projections

    async def caught_up(self, system: System) -> None:
        """Wait until the views include everything recorded so far."""
        head = system.app.recorder.max_notification_id() or 0
        assert await self.projections.runner.wait_until(head, TIMEOUT)

    def token(self, principal: Principal) -> str:
        assert principal.person_id is not None
        return issue_token(
            self.keys,
            role=principal.role,
            person=principal.person_id,
            org=principal.org,
            groups=principal.groups,
        )


@pytest.fixture
async def server(
    settings: Settings, system: System, projections: Projections, keys: TokenKeys
) -> AsyncIterator[Server]:
    """The node's app served by uvicorn on a free loopback port, in this event loop."""
    metrics = Metrics()
    api = GraphQLApi(settings, metrics=metrics)
    await start_graphql(api, system, db=projections.db, runner=projections.runner, keys=keys)
    app = build_http_app(settings, system, api, metrics)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="websockets-sansio")
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    async with asyncio.timeout(TIMEOUT):
        while not uv.started:
            await asyncio.sleep(0.01)
    yield Server(f"127.0.0.1:{port}", keys, projections)
    uv.should_exit = True
    await task
    await api.stop()
    sock.close()


async def open_socket(server: Server, principal: Principal | None, token: str | None = None):
    websocket = await connect(f"ws://{server.url}/graphql", subprotocols=[PROTOCOL])
    payload: dict[str, Any] = {}
    if principal is not None:
        token = server.token(principal)
    if token is not None:
        payload["Authorization"] = f"Bearer {token}"
    await websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
    return websocket


async def acknowledged(websocket: ClientConnection) -> None:
    async with asyncio.timeout(TIMEOUT):
        message = await websocket.recv()
    # A text frame, as graphql-transport-ws's messages are (websockets gives bytes for a
    # binary one, which standard clients refuse).
    assert isinstance(message, str), message
    assert json.loads(message)["type"] == "connection_ack"


async def subscribe(
    websocket: ClientConnection, query: str, variables: dict[str, Any], id: str = "1"
) -> None:
    await websocket.send(
        json.dumps(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )


async def next_data(websocket: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(TIMEOUT):
        frame = await websocket.recv()
    assert isinstance(frame, str), frame  # a text frame
    message = json.loads(frame)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    data: dict[str, Any] = message["payload"]["data"]
    return data


async def mutate(server: Server, principal: Principal, mutation: str, input: dict[str, Any]):
    async with httpx.AsyncClient(base_url=f"http://{server.url}") as client:
        response = await client.post(
            "/graphql",
            json={"query": document(mutation), "variables": {"input": input}},
            headers={"Authorization": f"Bearer {server.token(principal)}"},
        )
    payload: dict[str, Any] = response.json()["data"][mutation]
    return payload


async def test_a_subscriber_receives_the_event_of_a_mutation_it_may_see(
    server: Server, scenario: Scenario, system: System
) -> None:
    await server.caught_up(system)
    head = system.app.recorder.max_notification_id() or 0
    member = await open_socket(server, scenario.principal("representative"))
    stranger = await open_socket(server, None)
    try:
        await acknowledged(member)
        # The type as the events show it, with its version: it used to match nothing.
        wanted = ["coordination.decision.proposal_tabled.v1"]
        await subscribe(member, EVENTS, {"after": head, "types": wanted})
        await acknowledged(stranger)
        await subscribe(stranger, EVENTS, {"after": head})
        tabled = await mutate(
            server,
            scenario.principal("representative"),
            "tableProposal",
            {
                "partnershipId": str(scenario.partnership),
                "forumKind": "WORKING_GROUP",
                "forumId": str(scenario.group),
                "title": "Guarantee fund",
                "text": "Pool a guarantee fund.",
                "rationale": "Banks refuse loans.",
            },
        )
        seen = (await next_data(member))["events"]
        assert seen["type"] == "coordination.decision.proposal_tabled.v1"
        assert seen["streamId"] == tabled["createdId"]
        assert seen["actor"] == str(scenario.reps["B"])
        assert seen["actingFor"] == str(scenario.orgs["B"])
        assert seen["audience"] == f"forum:{scenario.group}"
        assert seen["data"]["title"] == "Guarantee fund"

        # The anonymous subscriber never sees the group's proposal: its first event is the
        # next public one.
        theme = await mutate(
            server,
            scenario.principal("admin"),
            "defineTheme",
            {"partnershipId": str(scenario.partnership), "name": "Housing"},
        )
        public = (await next_data(stranger))["events"]
        assert public["type"] == "coordination.partnership.theme_defined.v1"
        assert public["version"] == theme["version"]

        # An event recorded elsewhere (here: straight through the application, as another
        # process would) reaches subscribers too, without a mutation of this process.
        elsewhere = scenario.app.define_theme(
            scenario.secretariat(), scenario.partnership, name="Finance"
        )
        seen_elsewhere = (await next_data(stranger))["events"]
        assert seen_elsewhere["version"] == elsewhere.version
        assert seen_elsewhere["data"]["name"] == "Finance"
    finally:
        await member.close()
        await stranger.close()


async def test_a_forged_token_closes_the_connection(server: Server, scenario: Scenario) -> None:
    forged = issue_token(
        TokenKeys.generate(server.keys.issuer), role="admin", person=scenario.admin
    )
    websocket = await open_socket(server, None, token=forged)
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(TIMEOUT):
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


@pytest.mark.parametrize("payload", [None, {"Authorization": None}])
async def test_a_connection_init_without_a_token_is_acknowledged(
    server: Server, payload: object
) -> None:
    # graphql-transport-ws allows `payload: null`; strawberry closed it with 4400. A null
    # token is no token: the connection is anonymous, which this server allows.
    websocket = await connect(f"ws://{server.url}/graphql", subprotocols=[PROTOCOL])
    try:
        await websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
        await acknowledged(websocket)
    finally:
        await websocket.close()


@pytest.mark.parametrize(
    ("key", "authorization"),
    [
        ("Authorization", 123),
        ("Authorization", ["Bearer x"]),
        ("Authorization", {"token": "x"}),
        ("Authorization", True),
        # Falsy values were read as no token at all, and an empty one too, which HTTP
        # refuses as a malformed header.
        ("Authorization", False),
        ("Authorization", 0),
        ("Authorization", ""),
        ("authorization", False),
        ("authorization", ""),
    ],
)
async def test_an_authorization_that_is_not_a_token_closes_the_connection(
    server: Server, key: str, authorization: object
) -> None:
    # It was ignored: the client, believing itself signed in, was served as anonymous.
    websocket = await connect(f"ws://{server.url}/graphql", subprotocols=[PROTOCOL])
    payload = {"type": "connection_init", "payload": {key: authorization}}
    await websocket.send(json.dumps(payload))
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(TIMEOUT):
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


@pytest.mark.parametrize(
    "message",
    [
        "[]",  # JSON, not an object
        "12",
        '"subscribe"',
        json.dumps({"id": "1", "type": "subscribe", "payload": "{ __typename }"}),
        json.dumps({"id": ["1"], "type": "subscribe", "payload": {"query": "{ __typename }"}}),
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ["q"]}}),
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "q", "variables": 1}}),
        json.dumps({"type": "ping", "payload": "hello"}),
        # Nested deeper than a request may be: the connection used to drop without a code.
        '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables":'
        ' {"n": ' + "[" * 5000 + "]" * 5000 + "}}}",
        '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables":'
        ' {"n": ' + "[" * 40 + "]" * 40 + "}}}",
    ],
)
async def test_a_message_of_the_wrong_shape_closes_the_connection_with_4400(
    server: Server, scenario: Scenario, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Each used to fail inside strawberry with a TypeError: no close code, an error logged.
    websocket = await open_socket(server, scenario.principal("admin"))
    await acknowledged(websocket)
    await websocket.send(message)
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(TIMEOUT):
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_subscribe_of_several_operations_naming_none_is_an_error(
    server: Server, scenario: Scenario
) -> None:
    # strawberry ran the first operation, here a mutation over the WebSocket.
    app = scenario.app
    before = app.recorder.max_notification_id()
    websocket = await open_socket(server, scenario.principal("admin"))
    try:
        await acknowledged(websocket)
        document = (
            "mutation Define($p: UUID!) { defineTheme(input: {partnershipId: $p, name:"
            ' "Sneaky"}) { __typename } } subscription Follow { events { type } }'
        )
        await subscribe(websocket, document, {"p": str(scenario.partnership)})
        async with asyncio.timeout(TIMEOUT):
            message = json.loads(await websocket.recv())
        assert message["type"] == "error"
        assert message["id"] == "1"
        (error,) = message["payload"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "name the one to run in operationName" in error["message"]
    finally:
        await websocket.close()
    assert app.recorder.max_notification_id() == before


async def test_an_unknown_event_type_or_a_negative_position_is_refused(
    server: Server, scenario: Scenario
) -> None:
    websocket = await open_socket(server, scenario.principal("admin"))
    try:
        await acknowledged(websocket)
        await subscribe(websocket, EVENTS, {"types": ["coordination.decision.proposal_tabeld"]})
        async with asyncio.timeout(TIMEOUT):
            message = json.loads(await websocket.recv())
        assert message["type"] == "next"  # as a subscription's other refusals are
        errors = message["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
        assert "no event type" in errors[0]["message"]
        # A negative position replayed the whole log, as 0 does.
        await subscribe(websocket, EVENTS, {"after": -5}, id="2")
        async with asyncio.timeout(TIMEOUT):
            while (message := json.loads(await websocket.recv()))["id"] != "2":
                pass
        (error,) = message["payload"]["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "0 or more, not -5" in error["message"]
    finally:
        await websocket.close()


async def test_a_subscribe_that_does_not_parse_closes_the_connection_naming_the_error(
    server: Server, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    # It ended in a bare `complete`: the client learned nothing, and the node logged an
    # unexpected error. graphql-transport-ws asks for 4400.
    websocket = await open_socket(server, scenario.principal("admin"))
    await acknowledged(websocket)
    await subscribe(websocket, "subscription { events(", {})
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(TIMEOUT):
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert closed.value.rcvd.reason.startswith("Syntax Error")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_view_updates_of_a_forum_reach_its_members(
    server: Server, scenario: Scenario, system: System
) -> None:
    await server.caught_up(system)  # the convenorship is read from the views
    convenor = scenario.principal("convenor")
    websocket = await open_socket(server, convenor)
    try:
        await acknowledged(websocket)
        await subscribe(
            websocket,
            "subscription($forum: UUID!) { viewUpdates(forumId: $forum)"
            " { view logPosition forumIds } }",
            {"forum": str(scenario.group)},
        )
        decision = scenario.fresh_decision(scenario.group)
        # The subscription starts on the server in its own time: post until an update
        # arrives (each post changes the group's decisions view), a bounded number of times.
        update = None
        for attempt in range(5):
            await mutate(
                server,
                convenor,
                "postContribution",
                {"decisionId": str(decision), "text": f"Contribution {attempt}"},
            )
            try:
                async with asyncio.timeout(2):
                    update = await next_data(websocket)
                break
            except TimeoutError:
                continue
        assert update is not None
        assert str(scenario.group) in update["viewUpdates"]["forumIds"]
        assert update["viewUpdates"]["logPosition"] > 0
    finally:
        await websocket.close()


async def test_a_stranger_may_not_follow_a_groups_views(
    server: Server, scenario: Scenario, system: System
) -> None:
    await server.caught_up(system)  # the stranger's mandate is read from the views
    websocket = await open_socket(server, scenario.principal("representative_other"))
    try:
        await acknowledged(websocket)
        await subscribe(
            websocket,
            "subscription($forum: UUID!) { viewUpdates(forumId: $forum) { view } }",
            {"forum": str(scenario.group)},
        )
        async with asyncio.timeout(TIMEOUT):
            message = json.loads(await websocket.recv())
        assert message["type"] == "next", message
        (error,) = message["payload"]["errors"]
        assert "members of a working group" in error["message"]
        assert error["extensions"]["code"] == "FORBIDDEN"
    finally:
        await websocket.close()


async def test_a_revoked_token_ends_its_subscription(
    server: Server, scenario: Scenario, settings: Settings
) -> None:
    token = server.token(scenario.principal("admin"))
    websocket = await open_socket(server, None, token)
    try:
        await acknowledged(websocket)
        await subscribe(websocket, EVENTS, {"after": 0, "types": None})
        assert (await next_data(websocket))["events"]["logPosition"] >= 1
        # Revoked while the connection is open, as `tokens revoke` does from another process.
        claims = jwt.decode(token, options={"verify_signature": False})
        RevocationList(keys_dir(settings)).revoke(UUID(claims["jti"]))
        scenario.fresh_group()  # events the subscriber would see
        async with asyncio.timeout(TIMEOUT):
            while (message := json.loads(await websocket.recv()))["type"] == "next":
                if "errors" in message["payload"]:
                    break
        (error,) = message["payload"]["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "revoked" in error["message"]
    finally:
        await websocket.close()
