"""Errors: typed payloads for refused commands, coded GraphQL errors for refused requests.

A refused command is an expected outcome, so it comes back as data (a member of the
mutation's result union) with a message a user understands. A refused *request* (no
valid token, a page too large, a cursor that does not decode) is a GraphQL error with a
code in its extensions. Both are shown as they are; only unexpected failures are masked.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from coordination.domain import errors as domain


@strawberry.enum(
    description="Why a command was refused, for a program: the refusal's type, in"
    " SCREAMING_SNAKE_CASE, as request errors' `extensions.code` are written."
)
class UserErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RULE_VIOLATION = "RULE_VIOLATION"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"


@strawberry.interface(description="Why a command was refused, in words a user understands.")
class UserError:
    message: str
    code: UserErrorCode


@strawberry.type(name="NotFound", description="Something the command names does not exist.")
class NotFoundError(UserError):
    code: UserErrorCode = UserErrorCode.NOT_FOUND


@strawberry.type(
    name="Conflict",
    description="The stream changed since the caller read it, or an idempotency key was reused.",
)
class ConflictError(UserError):
    code: UserErrorCode = UserErrorCode.CONFLICT


@strawberry.type(
    name="RuleViolation",
    description="The command is well formed, but the current state does not allow it.",
)
class RuleViolationError(UserError):
    code: UserErrorCode = UserErrorCode.RULE_VIOLATION


@strawberry.type(
    name="Forbidden", description="The caller's role or mandate does not allow this command."
)
class ForbiddenError(UserError):
    code: UserErrorCode = UserErrorCode.FORBIDDEN


@strawberry.type(
    name="InvalidInput",
    description="A value of the input is malformed or out of range; the message begins with"
    " the field's name, as `field` gives it.",
)
class InvalidInputError(UserError):
    code: UserErrorCode = UserErrorCode.INVALID_INPUT
    field: str = strawberry.field(
        description="The input field at fault, as the client wrote it: `startsAt`; an item"
        " of a list by its index from 0, `items[2]`; a field of an item after a dot,"
        " `attendees[0].personId`. Relative to the mutation's `input` argument.",
    )


CommandError = (
    NotFoundError | ConflictError | RuleViolationError | ForbiddenError | InvalidInputError
)

#: A command's argument as the domain names it: snake_case names, list indexes in brackets.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def input_field(argument: str) -> str:
    """The input field a command's argument is, as a GraphQL client writes it.

    Every mutation's input names its fields as the command names its arguments, and
    strawberry writes each name in camelCase; the same rule here turns the domain's
    `starts_at` into `startsAt` and `attendees[0].person_id` into `attendees[0].personId`.
    """
    return _NAME.sub(lambda name: to_camel_case(name.group()), argument)


def invalid_input(problem: str, argument: str) -> InvalidInputError:
    """The refusal of a value of the input: `argument` (the command's name for it) and
    what is wrong with it, both as the client reads them."""
    field = input_field(argument)
    return InvalidInputError(message=f"{field} {problem}", field=field)


def from_domain(error: domain.DomainError) -> CommandError:
    """The typed payload of a domain refusal (its message is shown as it is, but for an
    invalid input's field, which is named as the client wrote it)."""
    if isinstance(error, domain.NotFound):
        return NotFoundError(message=error.message)
    if isinstance(error, domain.Conflict):
        return ConflictError(message=error.message)
    if isinstance(error, domain.Forbidden):
        return ForbiddenError(message=error.message)
    if isinstance(error, domain.InvalidInput):
        return invalid_input(error.problem, error.field)
    return RuleViolationError(message=error.message)


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
