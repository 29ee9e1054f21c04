"""Python's standard GraphQL client, `gql`, against a served node: HTTP and
graphql-transport-ws, as the README shows it.

`gql` refuses a WebSocket message sent as a binary frame ("Binary data received in the
websocket"), as the node sent every one until its messages went out as text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from tests.clients.conftest import Node

TIMEOUT = 15.0
FORUMS = gql("{ forums(kind: PARTNERSHIP) { edges { node { uuid name } } } }")
DEFINE_THEME = gql(
    """mutation($input: DefineThemeInput!) { defineTheme(input: $input) { __typename
         ... on DefineThemePayload { logPosition projected } ... on UserError { message } } }"""
)
THEMES_DEFINED = gql(
    """subscription($after: Int) { events(afterLogPosition: $after,
         types: ["coordination.partnership.theme_defined.v1"]) { type logPosition data } }"""
)


async def test_gql_queries_mutates_and_subscribes_over_http_and_websocket(node: Node) -> None:
    admin = {"Authorization": f"Bearer {node.admin()}"}
    async with Client(transport=HTTPXAsyncTransport(url=node.graphql)) as anonymous:
        forums: dict[str, Any] = await anonymous.execute(FORUMS)
    partnership = forums["forums"]["edges"][0]["node"]["uuid"]

    async def define_theme(name: str) -> int:
        variables = {"input": {"partnershipId": partnership, "name": name}}
        async with Client(transport=HTTPXAsyncTransport(url=node.graphql, headers=admin)) as http:
            answer = await http.execute(GraphQLRequest(DEFINE_THEME, variable_values=variables))
        assert answer["defineTheme"]["__typename"] == "DefineThemePayload", answer
        assert answer["defineTheme"]["projected"] is True
        position: int = answer["defineTheme"]["logPosition"]
        return position

    before = await define_theme("Before the subscription")
    subscriber = WebsocketsTransport(
        url=node.graphql.replace("http://", "ws://"),
        init_payload=admin,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],  # graphql-transport-ws
    )
    async with Client(transport=subscriber) as live:
        # From `before` on: the next theme arrives whether the subscription was running
        # when it was defined or replays it.
        events = live.subscribe(GraphQLRequest(THEMES_DEFINED, variable_values={"after": before}))
        defined = await define_theme("Defined for gql")
        async with asyncio.timeout(TIMEOUT):
            event = (await anext(events))["events"]
        await events.aclose()
    assert event["type"] == "coordination.partnership.theme_defined.v1"
    assert event["data"]["name"] == "Defined for gql"
    assert event["logPosition"] == defined
