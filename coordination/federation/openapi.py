"""What the OpenAPI document says of the feed: parameters, answers, errors, authentication.

The feed's handlers read their query parameters themselves (to refuse one given twice,
and to answer every error as a problem document), so FastAPI could not describe them:
the document declared no parameter, no error and no authentication, and a tool driven
by it (a schema-driven fuzzer, a generated client) called the proofs without their
required parameters. These declarations say what the handlers do; the test that runs
schemathesis against the served document checks that they agree.
"""

from __future__ import annotations

from typing import Any

from fastapi.security import HTTPBearer

from .problems import PROBLEM_JSON

#: Declares the bearer token the feed asks for; the `authorize` hook checks it.
BEARER = HTTPBearer(
    auto_error=False,
    description="An auditor's or admin's token: `coordination tokens issue --role auditor`.",
)

_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {
            "type": "string",
            "description": "What is wrong and, where it helps, what to do",
        },
    },
}
_WHY = {
    400: "A query parameter is missing, given twice, not a whole number, or out of range",
    401: "No token or partner signature (where anonymous callers are not served), or one"
    " that is expired, revoked, replayed, forged or malformed",
    403: "The token's role may not read the feed",
    416: "Beyond the log: past its latest signed checkpoint",
    429: "Too many requests from this caller: `Retry-After` says when to try again",
    503: "The log has no signed checkpoint yet, or cannot be read now",
}
_CACHING = {
    "ETag": {"description": "A digest of the exact body", "schema": {"type": "string"}},
    "Cache-Control": {
        "description": "`immutable` for what never changes, `no-cache` at the head; `private`"
        " where the answer depends on, or is served only to, the caller",
        "schema": {"type": "string"},
    },
    "Vary": {
        "description": "Where the answer depends on the caller: the headers that say who asks",
        "schema": {"type": "string"},
    },
    "Preference-Applied": {
        "description": "`wait=S` (RFC 7240) when the answer waited up to S s for the log to grow",
        "schema": {"type": "string"},
    },
}
_IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag the client has: 304 when it is still the body's",
    "schema": {"type": "string"},
}
_HASHES = {"type": "array", "items": {"type": "string", "description": "base64"}}
PAGE = {
    "type": "object",
    "required": ["origin", "start", "entries", "checkpoint", "next"],
    "properties": {
        "origin": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "entries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index", "leaf_hash", "event"],
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "leaf_hash": {"type": "string"},
                    "event": {"description": "The entry's envelope; null where hidden"},
                },
            },
        },
        "checkpoint": {"type": "string", "description": "The signed checkpoint covering it"},
        "next": {"type": ["string", "null"], "description": "The next page, relative"},
    },
}
#: One Server-Sent Event of `/stream`: an entry (`message`, `id` its index, `data` the
#: entry as a page shows it) or the checkpoint that covers those before it.
STREAM_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["message", "checkpoint"]},
        "id": {"type": "string", "description": "The entry's index"},
        "data": {"type": "string", "description": "The entry as JSON, or the checkpoint"},
    },
}
INCLUSION = {
    "type": "object",
    "required": ["index", "size", "hashes"],
    "properties": {"index": {"type": "integer"}, "size": {"type": "integer"}, "hashes": _HASHES},
}
CONSISTENCY = {
    "type": "object",
    "required": ["from", "to", "hashes"],
    "properties": {"from": {"type": "integer"}, "to": {"type": "integer"}, "hashes": _HASHES},
}


def whole_number(name: str, description: str, *, default: int | None = None) -> dict[str, Any]:
    """A query parameter `_integer` reads: a non-negative whole number, once."""
    schema: dict[str, Any] = {"type": "integer", "minimum": 0}
    if default is not None:
        schema["default"] = default
    return {
        "name": name,
        "in": "query",
        "required": default is None,
        "description": description,
        "schema": schema,
    }


def prefer_wait(when: str, what: str) -> dict[str, Any]:
    """The `Prefer` header of a route that long-polls ``when`` the client has the head."""
    return {
        "name": "Prefer",
        "in": "header",
        "required": False,
        "description": f"`wait=S` (RFC 7240): {when}, wait up to S s (at most 25) for {what}",
        "schema": {"type": "string"},
    }


def operation(*parameters: dict[str, Any]) -> dict[str, Any]:
    """The `openapi_extra` of a feed route: its parameters (and `If-None-Match`)."""
    return {"parameters": [*parameters, _IF_NONE_MATCH]}


def answers(
    media_type: str, schema: dict[str, Any], *errors: int, guarded: bool = True
) -> dict[int | str, Any]:
    """The `responses` of a feed route: its body, 304, and its problem documents (401 and
    403 where it asks for a token)."""
    declared: dict[int | str, Any] = {
        200: {
            "description": "OK",
            "headers": _CACHING,
            "content": {media_type: {"schema": schema}},
        },
        304: {"description": "Not Modified: If-None-Match names this body's ETag"},
    }
    refusals = {401, 403, 429} if guarded else set()
    for status in sorted({*refusals, *errors, 503}):
        problem = {PROBLEM_JSON: {"schema": _PROBLEM}}
        declared[status] = {"description": _WHY[status], "content": problem}
    return declared


def problem(description: str) -> dict[str, Any]:
    """A declared answer that is a problem document, for ``description``."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM}}}


def without_bodies(responses: dict[int | str, Any]) -> dict[int | str, Any]:
    """The `responses` of the `HEAD` beside a `GET` declared with ``responses``: the same
    statuses and headers, no body."""
    return {
        status: {key: value for key, value in answer.items() if key != "content"}
        for status, answer in responses.items()
    }
