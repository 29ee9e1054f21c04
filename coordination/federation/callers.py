"""Who reads the feed, and what each may see of it (FEED-PROTOCOL §5).

- An anonymous caller (None), where the node allows anonymous reading: `public` entries.
- A partner node, by its signed requests: `public` and `transnational` entries as its
  admission says, and the entries about the joint groups it belongs to.
- An auditor or admin, by a bearer token: everything.

Every other entry is served as ``event: null`` with its leaf hash, so any caller can
verify the whole tree while seeing only what it may.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from coordination.audit.storage import LogEntry
from coordination.auth.principal import Principal
from coordination.domain.values import Audience

#: The audiences of the joint groups a partner belongs to, by its origin: the merged
#: joint-group view answers it (`bootstrap.joint_groups.joint_groups_of`).
JointGroups = Callable[[str], Awaitable[frozenset[str]]]


async def no_joint_groups(_origin: str) -> frozenset[str]:
    """The joint groups of a partner where the node runs no joint-group view: none."""
    return frozenset()


@dataclass(frozen=True)
class PartnerCaller:
    """A partner node whose request signature verified with its key valid at the time.

    Attributes:
        origin: Its log's origin (the signature's `keyid`).
        key_id: The key that signed.
        sees: The audiences it was admitted to see.
        joint: The audiences of the joint groups it belongs to.
    """

    origin: str
    key_id: str
    sees: frozenset[str]
    joint: frozenset[str] = frozenset()

    def may_see(self, audience: str) -> bool:
        return audience in self.sees or audience in self.joint


@dataclass(frozen=True)
class ReaderCaller:
    """An auditor or admin, by its bearer token: sees every entry."""

    principal: Principal


Caller = PartnerCaller | ReaderCaller | None


def may_see(caller: Caller, entry: LogEntry) -> bool:
    """Whether `caller` gets `entry`'s event, or only its leaf hash."""
    if caller is None:
        return entry.audience == Audience.PUBLIC.value
    if isinstance(caller, ReaderCaller):
        return True
    return caller.may_see(entry.audience)


def rate_key(caller: Caller, client: str) -> str:
    """Whose allowance a request draws on: the partner's, the token's, or the client
    address's (anonymous callers behind one proxy share one)."""
    if isinstance(caller, PartnerCaller):
        return f"partner {caller.origin}"
    if isinstance(caller, ReaderCaller):
        who = caller.principal.token_id or str(caller.principal.person_id)
        return f"token {who}"
    return f"address {client}"
