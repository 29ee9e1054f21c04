"""What the endpoint takes as JSON: an object, in UTF-8; anything else is refused clearly.

strawberry decodes each HTTP request body, and each WebSocket message, with its view's
`decode_json`, and refuses clearly only what raises a JSONDecodeError. Bytes that are
not UTF-8 raised a UnicodeDecodeError, and JSON that is not an object (`false`,
`"text"`, `12`, `null`, `[]`) failed later, where strawberry read the request's fields
from it: a 500 over HTTP, an error that dropped the WebSocket without a close code.

`decode` (for `decode_json`) turns JSON that is not an object into `NotAnObject`, a
JSONDecodeError, so that strawberry closes such a WebSocket message's connection as it
closes one that is not JSON (4400, as graphql-transport-ws asks). `parse` (for
`parse_json`, which only HTTP requests go through) gives each refusal its own 400.
Batches are not enabled, so an array is refused as well. JSON nested deeper than
`MAX_NESTING` levels is refused the same way (`TooDeep`), whichever decoder read it.

`refusal` gives every request strawberry refuses before running it (these, a content
type it does not take, an operation name the document lacks, a mutation sent with GET)
the shape of any other refused request: a GraphQL response whose error carries a code,
where strawberry answered in plain text that clients parsing JSON could not read. A
mutation sent with GET is 405 with `Allow: POST`, as GraphQL over HTTP requires, where
strawberry answered 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import InvalidOperationTypeError

#: Levels of nesting a request's JSON may have. No request of this schema needs a tenth;
#: the standard library's decoder, graphql-core and the result cache's key each recurse
#: once per level, and ran out of stack near a thousand (a 500, or a dropped WebSocket).
MAX_NESTING = 32

#: Where orjson stops reading integers exactly (-2**63; 2**64 on the positive side).
_BEYOND_64_BITS = 2.0**63

NOT_JSON = "Unable to parse request body as JSON"  # strawberry's own words
TOO_DEEP = f"The request's JSON is nested too deeply: at most {MAX_NESTING} levels"
NOT_UTF8 = "The request body must be JSON in UTF-8"
NOT_JSON_CONTENT = "The request's Content-Type must be application/json"
NOT_AN_OBJECT = (
    'The request and its variables must be JSON objects, such as {"query": "...",'
    ' "variables": {...}}'
)


class NotAnObject(json.JSONDecodeError):
    """Valid JSON that is not an object."""


class TooDeep(json.JSONDecodeError):
    """JSON nested deeper than `MAX_NESTING` levels."""


def decode(decode_any: Callable[[str | bytes], object], data: str | bytes) -> object:
    """`data` decoded by `decode_any`, if it is a JSON object nested at most `MAX_NESTING`
    levels deep; `NotAnObject` or `TooDeep` if not."""
    try:
        decoded = decode_any(data)
    except RecursionError:
        raise TooDeep(TOO_DEEP, "", 0) from None
    if not isinstance(decoded, dict):
        raise NotAnObject(NOT_AN_OBJECT, "", 0)
    if not nested_within(decoded, MAX_NESTING):
        raise TooDeep(TOO_DEEP, "", 0)
    return decoded


def is_json_content(content_type: str | None) -> bool:
    """Whether a request's `Content-Type` is JSON (`application/json`, any parameters):
    the one both paths of a POST take."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def refuse_unless_json(request: Request) -> None:
    """Refuse a POST whose body is not JSON by its `Content-Type`, before anything looks
    at the body (the result cache keyed an answer on the body alone, and answered it
    whatever the type)."""
    if request.method == "POST" and not is_json_content(request.headers.get("content-type")):
        raise HTTPException(400, NOT_JSON_CONTENT)


def nested_within(value: object, levels: int) -> bool:
    """Whether `value`'s objects and arrays nest at most `levels` deep (without recursing)."""
    pending: list[tuple[dict[Any, Any] | list[Any], int]] = []
    if isinstance(value, (dict, list)):
        pending.append((value, 1))
    while pending:
        item, depth = pending.pop()
        if depth > levels:
            return False
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def read_as_written(value: object) -> bool:
    """Whether orjson read `value`'s numbers as the standard library (strawberry's
    decoder) reads them: orjson reads an integer beyond 64 bits as the nearest float,
    which the standard library keeps whole. (A float that large, written as one, is
    taken for such an integer too; strawberry's path answers it alike.)"""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            if abs(item) >= _BEYOND_64_BITS:
                return False
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def parse(decode_object: Callable[[str | bytes], object], data: str | bytes) -> object:
    """`data` decoded by `decode_object`, or a 400 that says what is wrong with it."""
    try:
        return decode_object(data)
    except NotAnObject:
        raise HTTPException(400, NOT_AN_OBJECT) from None
    except TooDeep:
        raise HTTPException(400, TOO_DEEP) from None
    except UnicodeDecodeError:
        raise HTTPException(400, NOT_UTF8) from None
    except json.JSONDecodeError:
        raise HTTPException(400, NOT_JSON) from None


def refusal(error: HTTPException) -> Response:
    """A request refused before it ran, as a GraphQL response with its HTTP status and an
    error coded by that status (`BAD_REQUEST`, `METHOD_NOT_ALLOWED`, ...)."""
    status, headers = error.status_code, {}
    if isinstance(error.__cause__, InvalidOperationTypeError):
        # An operation the method may not carry: only GET refuses any (POST takes all).
        status, headers = HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "POST"}
    try:
        code = HTTPStatus(status).name
    except ValueError:
        code = "BAD_REQUEST"
    return Response(
        error_document(error.reason, code),
        status,
        headers=headers,
        media_type="application/json",
    )


#: The methods the endpoint answers only to say which it serves (GET and POST).
OTHER_METHODS = ["OPTIONS", "PUT", "PATCH", "DELETE"]
SERVED_METHODS = {"Allow": "GET, POST"}


async def other_method(request: Request) -> Response:
    """OPTIONS: which methods the endpoint serves; any other method: 405, saying which."""
    if request.method == "OPTIONS":
        return Response(status_code=HTTPStatus.NO_CONTENT, headers=SERVED_METHODS)
    message = f"{request.method} is not served here: use GET (queries) or POST"
    return Response(
        error_document(message, "METHOD_NOT_ALLOWED"),
        HTTPStatus.METHOD_NOT_ALLOWED,
        headers=SERVED_METHODS,
        media_type="application/json",
    )


def error_document(message: str, code: str) -> bytes:
    """The body of a refused request: a GraphQL response whose one error carries `code`."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
