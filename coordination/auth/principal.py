"""Who is calling: the principal a verified token (or its absence) stands for.

A principal carries only pseudonymous ids (a person UUID, organisation and group UUIDs)
and a role, never a name. Every command's `Context` is built from it, so the actor and
the organisation recorded on an event always come from the token, never from the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from coordination.domain.context import Context

#: Namespace of correlation ids derived from request ids that are not UUIDs themselves.
_REQUESTS = uuid5(NAMESPACE_URL, "urn:coordination:request")


class Role(StrEnum):
    """The roles a caller may hold; `coordination.auth.authorization` says what each may do.

    Attributes:
        ADMIN: The secretariat: runs every command.
        REPRESENTATIVE: Acts for its own member organisation, within its mandate.
        CONVENOR: A representative who also runs its working groups.
        AUDITOR: Reads everything, the audit trail included, and changes nothing.
        ANONYMOUS: No token: public views only.
    """

    ADMIN = "admin"
    REPRESENTATIVE = "representative"
    CONVENOR = "convenor"
    AUDITOR = "auditor"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """The verified caller.

    Attributes:
        role: What the caller may do.
        person_id: The caller's pseudonymous person id (None only when anonymous).
        org: The member organisation a representative or convenor acts for.
        groups: The working groups a convenor runs.
        expires_at: When the token stops being accepted.
        token_id: The token's id (`jti`), by which it is revoked.
    """

    role: Role
    person_id: UUID | None = None
    org: UUID | None = None
    groups: frozenset[UUID] = field(default_factory=frozenset)
    expires_at: datetime | None = None
    token_id: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.ANONYMOUS

    @property
    def reads_everything(self) -> bool:
        """Admins and auditors see every event and view, restricted ones included."""
        return self.role in {Role.ADMIN, Role.AUDITOR}

    def context(self, *, origin: str, request_id: str, now: datetime | None = None) -> Context:
        """The context of a command this principal runs within the request `request_id`.

        The actor is the token's person and the organisation the token's; the
        correlation id is the request id (as a UUID), so the events of one request can
        be found together in the audit trail.
        """
        if self.person_id is None:
            raise ValueError("an anonymous caller cannot run commands")
        return Context(
            actor=str(self.person_id),
            origin=origin,
            acting_for=self.org,
            occurred_at=now or datetime.now(UTC),
            correlation_id=correlation_id(request_id),
        )


ANONYMOUS = Principal(role=Role.ANONYMOUS)


def correlation_id(request_id: str) -> UUID:
    """The request id itself when it is a UUID, else a stable UUID derived from it."""
    try:
        return UUID(request_id)
    except ValueError:
        return uuid5(_REQUESTS, request_id)
