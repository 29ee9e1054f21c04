"""Domain errors: every refusal says, in words a user understands, why.

The GraphQL layer maps each class to a typed error; the message is shown as it is, so it
must never contain personal data (persons appear only by pseudonymous id).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected refusal."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value is malformed: empty, oversized, out of range, dates in the wrong order.

    It names the command's argument at fault, as the command names it (`starts_at`; an
    item of a list by its index from 0, `items[2]`; a part of an item after a dot,
    `attendees[0].person_id`), and says what is wrong with it: the message is the field
    followed by the problem. An API shows the field by its own name for that argument
    (`startsAt`) and the problem as it is, so the problem never names the field itself.

    Args:
        problem: What is wrong, as the rest of a sentence that begins with the field
            ("must include a time zone").
        field: The argument at fault.
    """

    code = "invalid_input"

    def __init__(self, problem: str, *, field: str) -> None:
        super().__init__(f"{field} {problem}")
        self.problem = problem
        self.field = field


class NotFound(DomainError):
    """A referenced thing (partnership, member, group, decision, ...) does not exist."""

    code = "not_found"


class RuleViolation(DomainError):
    """The command is well formed but the current state does not allow it."""

    code = "rule_violation"


class Forbidden(DomainError):
    """The actor may not act for the organisation named in the command's context."""

    code = "forbidden"


class Conflict(DomainError):
    """The stream changed under the command, or an idempotency key was reused."""

    code = "conflict"
