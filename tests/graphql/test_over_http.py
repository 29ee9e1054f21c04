"""GraphQL over HTTP as its spec asks: media types and their statuses, the request's
Content-Type, `extensions`, and the methods the endpoint answers."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.graphql.conftest import Http

GRAPHQL_RESPONSE = "application/graphql-response+json"
VIEWS = "{ forums(kind: PARTNERSHIP) { edges { node { name } } } }"
COERCED = "query($g: UUID!) { workingGroup(uuid: $g) { name } }"


async def post(http: Http, body: dict[str, Any], accept: str | None = None) -> Any:
    headers = {} if accept is None else {"Accept": accept}
    return await http.client.post("/graphql", json=body, headers=headers)


async def test_a_client_accepting_the_specs_media_type_gets_it_with_its_statuses(
    http: Http,
) -> None:
    for accept in (GRAPHQL_RESPONSE, f"{GRAPHQL_RESPONSE}, application/json;q=0.9"):
        ran = await post(http, {"query": VIEWS}, accept)
        assert ran.status_code == 200
        assert ran.headers["content-type"] == GRAPHQL_RESPONSE
        assert ran.json()["data"]["forums"]["edges"] is not None
    # A request that never ran: 400 and no data entry, as the spec asks of this type...
    for body, code in [
        ({"query": "{ forums"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": COERCED, "variables": {"g": 5}}, "BAD_USER_INPUT"),  # the direct path's
        ({"query": COERCED, "variables": {"g": 5}, "extensions": {}}, "BAD_USER_INPUT"),
    ]:
        refused = await post(http, body, GRAPHQL_RESPONSE)
        assert refused.status_code == 400, (body, refused.text)
        assert refused.headers["content-type"] == GRAPHQL_RESPONSE
        assert "data" not in refused.json(), body
        assert refused.json()["errors"][0]["extensions"]["code"] == code, refused.text
        # ...and 200 with a null data under application/json, as that type asks.
        legacy = await post(http, body, "application/json")
        assert legacy.status_code == 200
        assert legacy.headers["content-type"] == "application/json"
        assert legacy.json()["data"] is None


async def test_clients_that_do_not_ask_for_it_get_json(http: Http) -> None:
    for accept in (None, "*/*", "application/json", f"{GRAPHQL_RESPONSE};q=0.5, application/json"):
        # The second time from the result cache, labelled the same.
        for _ in range(2):
            response = await post(http, {"query": VIEWS}, accept)
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json", accept
    cached = await post(http, {"query": VIEWS}, GRAPHQL_RESPONSE)
    assert cached.headers["content-type"] == GRAPHQL_RESPONSE
    got = await http.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert got.status_code == 200
    assert got.headers["content-type"] == GRAPHQL_RESPONSE
    refused = await http.client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/json"


async def test_the_content_type_is_checked_before_the_result_cache(http: Http) -> None:
    body = f'{{"query": "{VIEWS}"}}'.encode()
    for _ in range(2):  # kept by the result cache the first time, answered from it next
        kept = await http.client.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
        assert kept.status_code == 200
    # The same bytes, not declared as JSON: refused, as they are when nothing is kept.
    for content_type in ("text/plain", "application/jsonx", "", None):
        headers = {} if content_type is None else {"Content-Type": content_type}
        refused = await http.client.post("/graphql", content=body, headers=headers)
        assert refused.status_code == 400, content_type
        (error,) = refused.json()["errors"]
        assert error["message"] == "The request's Content-Type must be application/json"
        assert error["extensions"]["code"] == "BAD_REQUEST"


async def test_extensions_that_are_not_an_object_are_refused(http: Http) -> None:
    for extensions in (0, False, "", [], 5, "persisted"):
        refused = await post(http, {"query": VIEWS, "extensions": extensions})
        assert refused.status_code == 400, extensions
        assert "`extensions` must be an object or null" in refused.text
    for extensions in (None, {}):
        ran = await post(http, {"query": VIEWS, "extensions": extensions})
        assert ran.status_code == 200
        assert ran.json()["data"]["forums"] is not None


async def test_options_says_which_methods_are_served_and_others_are_refused(
    http: Http,
) -> None:
    options = await http.client.options("/graphql")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, POST"
    for method in ("PUT", "PATCH", "DELETE"):
        refused = await http.client.request(method, "/graphql")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, POST"
        (error,) = refused.json()["errors"]
        assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
        assert method in error["message"]


async def test_concurrent_gets_each_get_their_own_status(http: Http) -> None:
    """strawberry's GET route keeps each request's status in one shared attribute, so a
    refused GET could hand its 400 to another GET running beside it."""

    async def get(query: str) -> int:
        response = await http.client.get(
            "/graphql", params={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        return response.status_code

    queries = [VIEWS if turn % 2 else "{ noSuchField }" for turn in range(40)]
    statuses = await asyncio.gather(*(get(query) for query in queries))
    expected = [200 if turn % 2 else 400 for turn in range(40)]
    assert statuses == expected
