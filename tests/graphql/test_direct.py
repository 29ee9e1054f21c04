"""The direct path (`DirectExecution`): which requests it answers, and that its answers
are strawberry's, over HTTP.

Every other HTTP test of the API goes through it too; these pin down the boundary.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from coordination.bootstrap import System
from coordination.graphql.direct import DirectExecution
from coordination.projections import Projections
from tests.graphql.conftest import Http, caught_up
from tests.graphql.scenario import Scenario

REPORT = """
mutation Report($input: ReportProgressInput!) {
  reportProgress(input: $input) {
    __typename
    ... on ReportProgressPayload { action { uuid lastNote progress } }
    ... on NotFound { message }
    ... on InvalidInput { message field }
  }
}"""
ACTION = "query Note($id: UUID!) { action(uuid: $id) { uuid lastNote } }"
TWO = "query A { __typename } query B { forums(first: 1) { edges { cursor } } }"


class Taken:
    """Records, per request, whether the direct path answered it."""

    def __init__(self, direct: DirectExecution) -> None:
        self.answers: list[bool] = []
        self._answer = direct.answer

    async def answer(self, *args: Any) -> Any:
        response = await self._answer(*args)
        self.answers.append(response is not None)
        return response


@pytest.fixture
def taken(http: Http, monkeypatch: pytest.MonkeyPatch) -> Taken:
    spy = Taken(http.api.direct)
    monkeypatch.setattr(http.api.direct, "answer", spy.answer)
    return spy


async def send(
    http: Http, body: object, token: str | None = None, **headers: str
) -> httpx.Response:
    sent = {"content-type": "application/json", "x-request-id": "same-id", **headers}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await http.client.post("/graphql", content=content, headers=sent)


async def test_ordinary_operations_are_answered_directly(
    http: Http, scenario: Scenario, taken: Taken
) -> None:
    admin = http.token(scenario.principal("admin"))
    action = scenario.fresh_action(scenario.fresh_group())
    note = {"actionId": str(action), "percent": 40, "note": "halfway"}
    written = (await send(http, {"query": REPORT, "variables": {"input": note}}, admin)).json()
    assert written["data"]["reportProgress"]["action"]["lastNote"] == "halfway"
    read = await send(
        http, {"query": ACTION, "variables": {"id": str(action)}, "operationName": "Note"}, admin
    )
    assert read.json() == {"data": {"action": {"uuid": str(action), "lastNote": "halfway"}}}
    assert (await send(http, {"query": TWO, "operationName": "A"})).status_code == 200
    # Some clients always send `extensions`; empty, they change nothing.
    assert (await send(http, {"query": TWO, "operationName": "A", "extensions": {}})).is_success
    assert taken.answers == [True, True, True, True]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"query": "query { forums(first: 1) { edges { cursor } } "}, {}),  # does not parse
        ({"query": "query { noSuchField }"}, {}),  # does not validate
        ({"query": TWO}, {}),  # which operation?
        ({"query": TWO, "operationName": "C"}, {}),  # no such operation
        ({"query": "subscription { events { type } }"}, {}),
        ({"query": "{ __typename }", "extensions": {"persistedQuery": {}}}, {}),
        ({"query": "{ __typename }", "variables": [1]}, {}),
        (b'{"query": "{ __typename }"', {}),  # not JSON
        ({"query": "{ __typename }"}, {"content-type": "text/plain"}),
        ({"query": "{ __typename }"}, {"authorization": "Bearer forged"}),
    ],
)
async def test_everything_else_is_strawberrys(
    http: Http, taken: Taken, body: object, headers: dict[str, str]
) -> None:
    await send(http, body, **headers)
    assert taken.answers in ([], [False])


def parity_cases(scenario: Scenario) -> list[tuple[str, dict[str, Any], str | None]]:
    """(document, body beyond the query, role) whose answers both paths must agree on."""
    action = str(scenario.fresh_action(scenario.fresh_group()))
    return [
        (ACTION, {"variables": {"id": action}}, "admin"),
        (ACTION, {"variables": {"id": str(uuid4())}}, "admin"),  # null: not found
        (ACTION, {"variables": {"id": "not-a-uuid"}}, "admin"),  # variable refused
        (ACTION, {"variables": {"id": -(2**63) - 1}}, "admin"),  # read as written, refused
        (ACTION, {}, "admin"),  # a required variable missing
        (REPORT, {"variables": {"input": {"actionId": str(uuid4()), "percent": 5}}}, "admin"),
        (REPORT, {"variables": {"input": {"actionId": action, "percent": 500}}}, "admin"),
        (REPORT, {"variables": {"input": {"actionId": action, "percent": 5}}}, "auditor"),
        (REPORT, {"variables": {"input": {"actionId": action, "percent": 5}}}, None),
        ("query { decisions(first: 100000) { edges { cursor } } }", {}, "admin"),
        ('query { decisions(after: "forged") { edges { cursor } } }', {}, "admin"),
        (TWO, {"operationName": "B"}, None),
    ]


async def test_direct_answers_are_strawberrys_word_for_word(
    http: Http,
    scenario: Scenario,
    system: System,
    projections: Projections,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = http.api.services.results if http.api.services else None
    cases = parity_cases(scenario)
    # The scenario's writes bypass the API: until the views hold them, the projector
    # could commit between the two paths' answers and make them differ for that alone.
    # The cases themselves record nothing (each mutation is refused).
    await caught_up(system, projections)
    for document, rest, role in cases:
        token = http.token(scenario.principal(role)) if role is not None else None
        body = {"query": document, **rest}
        answers = []
        for direct in (True, False):
            with monkeypatch.context() as patched:
                if not direct:
                    patched.setattr(http.api.direct, "answer", _strawberrys)
                if results is not None:
                    results.current()  # the same query must not be answered from memory
                    patched.setattr(results, "response", lambda _key: None)
                    patched.setattr(results, "get", lambda _key: None)
                response = await send(http, body, token)
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1], document


async def _strawberrys(*_: object) -> None:
    return None


async def test_a_document_is_parsed_and_validated_once(http: Http) -> None:
    direct = http.api.direct
    prepared = direct.prepare(ACTION)
    assert direct.prepare(ACTION) is prepared
    assert prepared.document is not None
    assert prepared.operations["Note"] is prepared.operations[None]
    assert direct.prepare("query { noSuchField }").document is None  # strawberry's to answer


async def test_a_failure_outside_the_resolvers_is_masked_not_a_500(
    http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("the cache fell over at 10.0.0.7")

    monkeypatch.setattr(http.api.direct, "_result", broken)
    # Broken on the direct path alone, the paths disagree, as the agreement check would say.
    monkeypatch.setattr(http.api, "agreement", None)
    response = await send(http, {"query": "{ __typename }"})
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "same-id"}
    assert "10.0.0.7" not in response.text
