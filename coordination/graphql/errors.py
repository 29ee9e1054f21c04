"""Errors: typed payloads for refused commands, coded GraphQL errors for refused requests.

A refused command is an expected outcome, so it comes back as data (a member of the
mutation's result union) with a message a user understands. A refused *request* (no
valid token, a page too large, a cursor that does not decode) is a GraphQL error with a
code in its extensions. Both are shown as they are; only unexpected failures are masked.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from coordination.domain import errors as domain


@strawberry.interface(description="Why a command was refused, in words a user understands.")
class UserError:
    message: str
    code: str


@strawberry.type(name="NotFound", description="Something the command names does not exist.")
class NotFoundError(UserError):
    pass


@strawberry.type(
    name="Conflict",
    description="The stream changed since the caller read it, or an idempotency key was reused.",
)
class ConflictError(UserError):
    pass


@strawberry.type(
    name="RuleViolation",
    description="The command is well formed, but the current state does not allow it.",
)
class RuleViolationError(UserError):
    pass


@strawberry.type(
    name="Forbidden", description="The caller's role or mandate does not allow this command."
)
class ForbiddenError(UserError):
    pass


@strawberry.type(name="InvalidInput", description="A value is malformed or out of range.")
class InvalidInputError(UserError):
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, when known."
    )


CommandError = (
    NotFoundError | ConflictError | RuleViolationError | ForbiddenError | InvalidInputError
)


def from_domain(error: domain.DomainError) -> CommandError:
    """The typed payload of a domain refusal (its message is shown as it is)."""
    if isinstance(error, domain.NotFound):
        return NotFoundError(message=error.message, code=error.code)
    if isinstance(error, domain.Conflict):
        return ConflictError(message=error.message, code=error.code)
    if isinstance(error, domain.Forbidden):
        return ForbiddenError(message=error.message, code=error.code)
    if isinstance(error, domain.InvalidInput):
        return InvalidInputError(message=error.message, code=error.code)
    return RuleViolationError(message=error.message, code=error.code)


class RequestError(GraphQLError):
    """A refused request, with a machine-readable code; never masked.

    Codes: UNAUTHENTICATED (bad token, or anonymous callers refused), FORBIDDEN (the
    role may not read this), BAD_USER_INPUT (page size, cursor, filter values).
    """

    def __init__(self, message: str, code: str, **extra: Any) -> None:
        super().__init__(message, extensions={"code": code, **extra})


def unauthenticated(message: str) -> RequestError:
    return RequestError(message, "UNAUTHENTICATED")


def forbidden(message: str) -> RequestError:
    return RequestError(message, "FORBIDDEN")


def bad_input(message: str, argument: str | None = None) -> RequestError:
    if argument is None:
        return RequestError(message, "BAD_USER_INPUT")
    return RequestError(message, "BAD_USER_INPUT", argument=argument)
