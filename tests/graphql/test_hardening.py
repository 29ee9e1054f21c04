"""Bad requests over HTTP: malformed documents, limits, tokens, body size, masking, modes."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.graphql.context import GraphQLConfig
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.conftest import Http, http_client
from tests.graphql.scenario import Scenario

PUBLIC = "query { forums(first: 5) { edges { node { name } } } }"


@pytest.fixture
def read_db(projections: Projections) -> ReadDatabase:
    return projections.db


async def _client(
    settings: Settings, system: System, db: ReadDatabase, keys: TokenKeys, **config: object
) -> tuple[Http, object]:
    return await http_client(
        settings,
        system,
        db,
        None,
        keys,
        GraphQLConfig(**config),  # type: ignore[arg-type]
    )


@pytest.fixture
async def node(
    settings: Settings, system: System, read_db: ReadDatabase, keys: TokenKeys
) -> AsyncIterator[Http]:
    http, api = await _client(settings, system, read_db, keys)
    yield http
    await http.client.aclose()
    await api.stop()  # type: ignore[attr-defined]


def codes(body: dict[str, object]) -> list[object]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [e.get("extensions", {}).get("code") for e in errors]


def events(system: System) -> int:
    return system.app.recorder.max_notification_id() or 0


async def test_malformed_documents_are_refused_clearly(node: Http) -> None:
    # Each with a code (graphql-core gives none), as every refused request has one.
    for query, variables, words, code in [
        ("query { forums(first: 5) { edges ", {}, "Syntax Error", "GRAPHQL_PARSE_FAILED"),
        ("query { " + "a " * 3500 + "}", {}, "tokens", "GRAPHQL_PARSE_FAILED"),
        (
            "query { nothingHere }",
            {},
            "Cannot query field 'nothingHere'",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            'query { forums(first: "ten") { edges { cursor } } }',
            {},
            "Int",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("query($n: Int) { __typename }", {}, "is never used", "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($n: Int) { forums(first: $n) { edges { cursor } } }",
            {"n": "ten"},
            "Variable '$n' has invalid value",
            "BAD_USER_INPUT",
        ),
        (
            "query { " + " ".join(f"a{i}: __typename" for i in range(31)) + " }",
            {},
            "aliases",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ]:
        response = await node.post(query, variables)
        assert response.status_code in {200, 400}
        body = response.json()
        assert words in body["errors"][0]["message"], body
        assert set(codes(body)) == {code}, body


async def test_bodies_that_are_not_a_graphql_request_are_refused_clearly(
    node: Http, system: System
) -> None:
    """What strawberry's view itself refuses, through the node's lane: a 4xx naming the
    problem, nothing recorded."""
    before = events(system)
    for content, content_type, words in [
        (b"{not json", "application/json", "JSON"),
        (b'{"variables": {}}', "application/json", "No GraphQL query found"),
        (b"query { forums { edges { cursor } } }", "text/plain", "must be application/json"),
        # These used to fail inside strawberry with a 500: bytes that are not UTF-8...
        (b"\xbe{\xa8}", "application/json", "must be JSON in UTF-8"),
        # ...and JSON that is not an object.
        (b"false", "application/json", "must be JSON objects"),
        (b'"{ forums { edges { cursor } } }"', "application/json", "must be JSON objects"),
        (b"12", "application/json", "must be JSON objects"),
        (b"null", "application/json", "must be JSON objects"),
        (b"[1]", "application/json", "must be JSON objects"),  # batches are not enabled
        # JSON nested a thousand levels or more ran the decoder, graphql-core or the result
        # cache out of stack: a 500 in plain text, or a masked unexpected error.
        *[
            (nested(levels), "application/json", "nested too deeply: at most 32 levels")
            for levels in (40, 990, 1100, 9_000)
        ],
    ]:
        response = await node.client.post(
            "/graphql", content=content, headers={"Content-Type": content_type}
        )
        assert 400 <= response.status_code < 500, (content, response.status_code)
        # Shaped as every refused request is (strawberry's own answer was plain text).
        (error,) = response.json()["errors"]
        assert words in error["message"], (content, response.text)
        assert error["extensions"]["code"] in {"BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"}
        assert response.headers["x-request-id"]
    assert events(system) == before


def nested(levels: int) -> bytes:
    """A request whose variable nests `levels` arrays deep."""
    value = "[" * levels + "]" * levels
    return f'{{"query": "{{ __typename }}", "variables": {{"n": {value}}}}}'.encode()


async def test_json_nested_too_deeply_in_get_variables_is_refused_clearly(node: Http) -> None:
    response = await node.client.get(
        "/graphql", params={"query": "{ __typename }", "variables": '{"n": ' + "[" * 2000}
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    deep = '{"n": ' + "[" * 50 + "]" * 50 + "}"
    response = await node.client.get(
        "/graphql", params={"query": "{ __typename }", "variables": deep}
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"][0]["message"]
    shallow = '{"n": ' + "[" * 20 + "]" * 20 + "}"
    response = await node.client.get(
        "/graphql", params={"query": "{ __typename }", "variables": shallow}
    )
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_subscription_over_http_is_told_where_subscriptions_are_served(
    node: Http, caplog: pytest.LogCaptureFixture
) -> None:
    # strawberry ran it as a query: an unexpected error, masked and logged as a fault.
    document = "subscription { events { type } }"
    for response in [
        await node.post(document),
        await node.client.get("/graphql", params={"query": document}),
    ]:
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "subscriptions are served over WebSocket" in error["message"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_requests_refused_before_they_run_are_graphql_errors(node: Http) -> None:
    for response, status, code, words in [
        (
            # GraphQL over HTTP: 405, where strawberry answers 400.
            await node.client.get("/graphql", params={"query": "mutation { x }"}),
            405,
            "METHOD_NOT_ALLOWED",
            "mutations are not allowed when using GET",
        ),
        (
            await node.client.post(
                "/graphql", json={"query": "query A { __typename }", "operationName": "B"}
            ),
            400,
            "BAD_REQUEST",
            'Unknown operation named "B".',
        ),
        (
            # Was looked for as an operation named "5".
            await node.client.post(
                "/graphql", json={"query": "query A { __typename }", "operationName": 5}
            ),
            400,
            "BAD_REQUEST",
            "The operationName must be a string or null",
        ),
        (
            # Was told the request body is not JSON: a GET request has none.
            await node.client.get(
                "/graphql", params={"query": "{ __typename }", "variables": "{not json"}
            ),
            400,
            "BAD_REQUEST",
            "The variables and extensions query parameters must be JSON objects",
        ),
    ]:
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert response.headers.get("allow") == ("POST" if status == 405 else None)
        (error,) = response.json()["errors"]
        assert (error["extensions"]["code"], error["message"]) == (code, words)


async def test_a_document_of_several_operations_runs_only_the_one_named(
    node: Http, scenario: Scenario, system: System
) -> None:
    # strawberry ran the first operation when none was named: here a mutation, where the
    # client may have meant the query after it. The spec asks for an error.
    document = (
        "mutation Define($p: UUID!) { defineTheme(input: {partnershipId: $p, name:"
        ' "Sneaky"}) { __typename } } query Look { __typename }'
    )
    variables = {"p": str(scenario.partnership)}
    before = events(system)
    admin = {"Authorization": f"Bearer {node.token(scenario.principal('admin'))}"}
    for response in [
        await node.client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=admin
        ),
        await node.client.get(
            "/graphql", params={"query": "query A { __typename } query B { __typename }"}
        ),
    ]:
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert error["message"] == (
            "the document has 2 operations: name the one to run in operationName"
        )
    assert events(system) == before
    named = await node.client.post(
        "/graphql",
        json={"query": document, "variables": variables, "operationName": "Look"},
        headers=admin,
    )
    assert named.json() == {"data": {"__typename": "Query"}}
    assert events(system) == before


async def test_deep_queries_are_refused(node: Http) -> None:
    deep = (
        "query { forums { edges { node { ... on WorkingGroup { partnership { workingGroups {"
        " edges { node { partnership { workingGroups { edges { node { name } } } } } } } } }"
        " } } } }"
    )
    body = (await node.post(deep)).json()
    assert body["errors"][0]["message"] == (
        "'anonymous' exceeds maximum operation depth of 10: its fields nest 11 deep"
    )
    assert set(codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}  # its cost is too high as well


async def test_too_many_aliases_are_refused(node: Http) -> None:
    aliased = (
        "query { "
        + " ".join(f"a{i}: forums {{ pageInfo {{ hasNextPage }} }}" for i in range(40))
        + " }"
    )
    body = (await node.post(aliased)).json()
    assert body["errors"][0]["message"] == "40 aliases found. Allowed: 30"
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_a_costly_query_is_refused_the_same_on_both_paths(node: Http) -> None:
    # 100 forums, each with a page of members given by a variable (counted as 100).
    costly = (
        "query Costly($n: Int!) { forums(first: 100) { edges { node { ... on WorkingGroup {"
        " members(first: $n) { edges { node { name kind active joinedAt } } } } } } } }"
    )
    cost = 1 + 100 * (1 + 1 + (1 + 100 * (1 + 1 + 4)))
    posted = await node.client.post("/graphql", json={"query": costly, "variables": {"n": 1}})
    got = await node.client.get("/graphql", params={"query": costly, "variables": '{"n": 1}'})
    for body in (posted.json(), got.json()):
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert error["message"].startswith(
            f"'Costly' exceeds maximum operation cost of 20000: its cost is {cost} ("
        ), body
    cheaper = costly.replace("forums(first: 100)", "forums(first: 10)")
    assert "errors" not in (await node.post(cheaper, {"n": 1})).json()


async def test_too_many_tokens_are_refused(node: Http) -> None:
    long_document = "query { " + "a " * 3500 + "}"
    body = (await node.post(long_document)).json()
    assert "token" in body["errors"][0]["message"].lower()


async def test_a_body_over_the_limit_is_refused_before_reading(node: Http) -> None:
    response = await node.post("query { __typename }", {"padding": "x" * 30_000})
    assert response.status_code == 413
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    assert response.headers["x-request-id"]


async def test_a_page_larger_than_a_hundred_is_refused(node: Http, scenario: Scenario) -> None:
    body = (
        await node.post(
            "query { decisions(first: 100000) { edges { cursor } } }",
            principal=scenario.principal("admin"),
        )
    ).json()
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "between 0 and 100" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("make_token", "words"),
    [
        (
            lambda keys: issue_token(
                keys,
                role="admin",
                person=uuid4(),
                ttl=timedelta(minutes=5),
                now=datetime.now(UTC) - timedelta(hours=1),
            ),
            "expired",
        ),
        (
            lambda keys: issue_token(TokenKeys.generate(keys.issuer), role="admin", person=uuid4()),
            "signature",
        ),
        (lambda keys: "not.a.token", "malformed"),
    ],
)
async def test_bad_tokens_are_unauthenticated_and_change_nothing(
    node: Http, scenario: Scenario, system: System, make_token: object, words: str
) -> None:
    before = events(system)
    response = await node.post(
        document("defineTheme"),
        {"input": {"partnershipId": str(scenario.partnership), "name": "Housing"}},
        token=make_token(node.keys),  # type: ignore[operator]
    )
    body = response.json()
    assert codes(body) == ["UNAUTHENTICATED"]
    assert words in body["errors"][0]["message"]
    assert body.get("data") is None
    assert events(system) == before


async def test_a_non_bearer_authorization_is_unauthenticated(node: Http) -> None:
    body = (await node.post(PUBLIC, headers={"Authorization": "Basic YWxhZGRpbjpvcGVu"})).json()
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_without_a_token_only_public_views_are_read(
    node: Http, scenario: Scenario, system: System
) -> None:
    public = (await node.post(PUBLIC)).json()
    assert "errors" not in public
    private = (await node.post("query { decisions { edges { cursor } } }")).json()
    assert codes(private) == ["UNAUTHENTICATED"]
    audit = (await node.post("query { auditTrail { edges { cursor } } }")).json()
    assert codes(audit) == ["UNAUTHENTICATED"]
    before = events(system)
    refused = (
        await node.post(
            document("defineTheme"),
            {"input": {"partnershipId": str(scenario.partnership), "name": "Housing"}},
        )
    ).json()
    assert refused["data"]["defineTheme"]["__typename"] == "Forbidden"
    assert events(system) == before


async def test_a_node_may_refuse_anonymous_callers(
    settings: Settings, system: System, read_db: ReadDatabase, keys: TokenKeys
) -> None:
    http, api = await _client(settings, system, read_db, keys, allow_anonymous=False)
    try:
        body = (await http.post(PUBLIC)).json()
        assert codes(body) == ["UNAUTHENTICATED"]
    finally:
        await http.client.aclose()
        await api.stop()  # type: ignore[attr-defined]


async def test_production_hides_introspection_and_graphiql(
    settings: Settings, system: System, read_db: ReadDatabase, keys: TokenKeys
) -> None:
    introspection = "query { __schema { queryType { name } } }"
    development, dev_api = await _client(settings, system, read_db, keys)
    production, prod_api = await _client(settings, system, read_db, keys, production=True)
    try:
        assert (await development.post(introspection)).json()["data"]["__schema"]
        ide = await development.client.get("/graphql", headers={"Accept": "text/html"})
        assert ide.status_code == 200
        assert "graphiql" in ide.text.lower()

        hidden = (await production.post(introspection)).json()
        assert "introspection" in hidden["errors"][0]["message"].lower()
        assert (await production.post("query { __typename }")).json()["data"]
        no_ide = await production.client.get("/graphql", headers={"Accept": "text/html"})
        assert no_ide.status_code == 404
    finally:
        for http, api in ((development, dev_api), (production, prod_api)):
            await http.client.aclose()
            await api.stop()  # type: ignore[attr-defined]


async def test_production_suggests_no_names_on_either_path(
    settings: Settings, system: System, read_db: ReadDatabase, keys: TokenKeys
) -> None:
    # Introspection hides the schema; "Did you mean 'forums'?" would show it bit by bit.
    requests = [
        ("{ forumz { name } }", None),  # refused by validation
        # refused while the variables are taken in, before anything runs
        ("query($w: DecisionFilter) { decisions(where: $w) { edges { cursor } } }", {"statu": []}),
    ]
    development, dev_api = await _client(settings, system, read_db, keys)
    production, prod_api = await _client(settings, system, read_db, keys, production=True)
    try:
        for http, suggested in ((development, True), (production, False)):
            for query, value in requests:
                variables = {"w": value} if value is not None else {}
                answers = [
                    await http.client.post(
                        "/graphql", json={"query": query, "variables": variables}
                    ),
                    await http.client.get(
                        "/graphql", params={"query": query, "variables": json.dumps(variables)}
                    ),
                ]
                for answer in answers:
                    (error,) = answer.json()["errors"]
                    assert ("Did you mean" in error["message"]) is suggested, error
    finally:
        for http, api in ((development, dev_api), (production, prod_api)):
            await http.client.aclose()
            await api.stop()  # type: ignore[attr-defined]


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    node: Http,
    scenario: Scenario,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from coordination.projections.queries import decisions

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the database fell over at 10.0.0.7")

    monkeypatch.setattr(decisions, "list_decisions", broken)
    caplog.set_level(logging.ERROR, logger="coordination.graphql")
    response = await node.post(
        "query { decisions { edges { cursor } } }",
        principal=scenario.principal("admin"),
        headers={"X-Request-ID": "req-4711"},
    )
    body = response.json()
    assert response.headers["x-request-id"] == "req-4711"
    (error,) = body["errors"]
    assert "10.0.0.7" not in str(body)
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-4711"}
    logged = [r for r in caplog.records if r.name == "coordination.graphql"]
    assert logged
    assert logged[0].exc_info is not None
    assert getattr(logged[0], "fields", {}).get("request_id") == "req-4711"


async def test_expected_errors_are_never_masked(node: Http, scenario: Scenario) -> None:
    body = (
        await node.post(
            'query { decisions(after: "garbage") { edges { cursor } } }',
            principal=scenario.principal("admin"),
        )
    ).json()
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "cursor" in body["errors"][0]["message"].lower()
