"""The media type of a GraphQL answer, and the status that goes with it (GraphQL over HTTP).

A client whose `Accept` header names `application/graphql-response+json` (as high as
`application/json`, or without it) gets its answers as that type, the spec's own, under
which the status says what happened: a request that never ran (its JSON, its document
or its variables refused) is a 400 without a `data` entry, and one that ran is a 200,
whatever errors its fields met. Every other client (no `Accept`, `*/*`,
`application/json`) gets `application/json`, as before, under which such errors are
answered with 200 and a null `data`, as the spec asks of that type.

A request that never ran is told by its result: no data, and errors none of which has a
path (those of fields have one).
"""

from __future__ import annotations

from functools import lru_cache

from graphql import ExecutionResult
from starlette.requests import HTTPConnection
from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@lru_cache(maxsize=256)  # clients send the same few headers, and this runs per request
def media_type_for(accept: str | None) -> str:
    """The media type to answer a request whose `Accept` header is `accept` with."""
    if not accept:
        return JSON
    graphql_response = json = 0.0
    for part in accept.split(","):
        media, *parameters = part.split(";")
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media = media.strip().lower()
        if media == GRAPHQL_RESPONSE:
            graphql_response = max(graphql_response, weight)
        elif media == JSON:
            json = max(json, weight)
    return GRAPHQL_RESPONSE if graphql_response > 0 and graphql_response >= json else JSON


def wants_graphql_response(connection: HTTPConnection) -> bool:
    """Whether the request is answered as `application/graphql-response+json`."""
    return media_type_for(connection.headers.get("accept")) == GRAPHQL_RESPONSE


def never_ran(result: ExecutionResult) -> bool:
    """Whether `result` is that of a request refused before execution (no data, and no
    error of a field)."""
    errors = result.errors
    return result.data is None and bool(errors) and all(e.path is None for e in errors or ())


def typed(connection: HTTPConnection, response: Response) -> Response:
    """`response`, a JSON answer, labelled with the media type the client asked for."""
    if response.headers.get("content-type", "").startswith(JSON) and wants_graphql_response(
        connection
    ):
        response.headers["content-type"] = GRAPHQL_RESPONSE
    return response
