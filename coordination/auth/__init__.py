"""Authentication and authorization: signed tokens, the principal they stand for, and who
may run which command (`authorization`)."""

from coordination.auth.principal import ANONYMOUS, Principal, Role, correlation_id
from coordination.auth.tokens import TokenError, TokenKeys, issue_token, verify_token

__all__ = [
    "ANONYMOUS",
    "Principal",
    "Role",
    "TokenError",
    "TokenKeys",
    "correlation_id",
    "issue_token",
    "verify_token",
]
