"""GraphiQL and the OpenAPI document's page in a real browser (the system's headless
Chromium, driven by Playwright), with the network cut: every request to another host
than the node is refused and recorded.

The page must render from the node's own files, run a query, and show an event of a
subscription (GraphiQL's fetcher speaks graphql-transport-ws with graphql-ws's client)
that a mutation made while it was open, with no request elsewhere and no error in the
browser's console (a Content-Security-Policy violation is logged there).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from tests.clients.chromium import ARGS, ensure_chromium
from tests.clients.conftest import Node

TIMEOUT_MS = 20_000
FORUMS = "{ forums(kind: PARTNERSHIP) { edges { node { name } } } }"
THEMES_DEFINED = (
    "subscription { events(afterLogPosition: %d, types: "
    '["coordination.partnership.theme_defined.v1"]) { type data } }'
)
DEFINE_THEME = (
    "mutation($input: DefineThemeInput!) { defineTheme(input: $input) {"
    " ... on DefineThemePayload { logPosition } ... on UserError { message } } }"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose requests elsewhere are refused, and what went wrong on it."""

    def __init__(self, browser: Browser, node: Node) -> None:
        self.context = browser.new_context()
        self.page: Page = self.context.new_page()
        self.node = node
        self.elsewhere: list[str] = []
        self.sockets: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_the_node)
        self.page.on("websocket", lambda socket: self.sockets.append(socket.url))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _only_the_node(self, route: Route) -> None:
        if urlsplit(route.request.url).netloc == self.node.host:
            route.continue_()
        else:
            self.elsewhere.append(route.request.url)
            route.abort()

    def open(self, query: str) -> None:
        """GraphiQL with `query` in its editor, run."""
        response = self.page.goto(f"{self.node.graphql}?q={quote(query)}")
        assert response is not None
        assert response.status == 200
        assert "default-src 'none'" in response.headers["content-security-policy"]
        self.page.locator(".graphiql-execute-button").click(timeout=TIMEOUT_MS)

    def shows(self, text: str) -> None:
        expect(self.page.locator(".graphiql-response")).to_contain_text(text, timeout=TIMEOUT_MS)


def define_theme(node: Node, partnership: str, name: str) -> int:
    variables = {"input": {"partnershipId": partnership, "name": name}}
    answer = httpx.post(
        node.graphql,
        json={"query": DEFINE_THEME, "variables": variables},
        headers={"Authorization": f"Bearer {node.admin()}"},
    )
    position: int = answer.json()["data"]["defineTheme"]["logPosition"]
    return position


def test_graphiql_runs_a_query_and_shows_a_subscriptions_event_offline(
    browser: Browser, node: Node
) -> None:
    watched = Watched(browser, node)
    try:
        watched.open(FORUMS)
        watched.shows("Stockholms läns utvecklingspartnerskap för social ekonomi")

        partnership = node.partnership()
        before = define_theme(node, partnership, "Before GraphiQL subscribed")
        watched.open(THEMES_DEFINED % before)
        define_theme(node, partnership, "Seen in GraphiQL")
        watched.shows("Seen in GraphiQL")
    finally:
        watched.context.close()
    assert watched.elsewhere == []
    assert watched.errors == []
    assert watched.sockets, "the subscription opened no WebSocket"
    assert all(urlsplit(url).netloc == node.host for url in watched.sockets), watched.sockets


def test_the_openapi_page_renders_the_feed_offline(browser: Browser, node: Node) -> None:
    """FastAPI's `/docs` loaded Swagger UI from a CDN (and a favicon from FastAPI's site):
    blank without internet. The node's own page shows the feed's operations."""
    watched = Watched(browser, node)
    try:
        response = watched.page.goto(f"{node.base}/docs")
        assert response is not None
        assert response.status == 200
        expect(watched.page.locator(".opblock-summary-path").first).to_be_visible(
            timeout=TIMEOUT_MS
        )
        expect(watched.page.locator("body")).to_contain_text(
            "/federation/v1/checkpoint", timeout=TIMEOUT_MS
        )
    finally:
        watched.context.close()
    assert watched.elsewhere == []
    assert (httpx.get(f"{node.base}/redoc")).status_code == 404
