"""Who may read what, per request: the read side of the access rules.

- anonymous callers read the public registry only: partnerships, member organisations
  and themes, and the mapping surveys' published findings (the events behind them have
  the `public` audience);
- every signed-in role whose standing holds reads what the partnership sees (working
  groups, workshops, participation, mandates, partnership decisions and actions):
  admins and auditors, and representatives and convenors whose mandate holds today;
- what happens inside a working group (`forum:<id>` audience: its decisions and their
  positions, its actions, its member list) is read by the members of that forum (the
  caller's organisation is an active member, or the caller convenes it);
- the joint working groups with partner nodes (`joint:<id>` audience) are read as the
  partnership's business;
- admins (the secretariat) and auditors read everything, the audit trail and past
  states of streams included.

A token's organisation and groups count only as far as they hold today, by the rules
commands apply to the streams (`coordination.domain.standing`, here on the views; the
write side's checks are `coordination.auth.authorization`'s): a token whose holder's
mandate ended reads the public views only, as an anonymous caller does (a write with it
is refused too), and a convenor's token counts only the groups its holder convenes
(docs/decisions/0022).
An event is shown to those who may read what it tells (`sees_event`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from uuid import UUID

from coordination.auth.principal import Principal
from coordination.domain.joint_parts import joint_group_of
from coordination.domain.values import Audience, forum_audience
from coordination.domain.workshop import Workshop
from coordination.graphql.errors import forbidden, unauthenticated
from coordination.graphql.event_log import LoggedEvent
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries.access import ForumScope, confirmed_scope
from coordination.projections.queries.forums import list_forums

#: Most working groups one organisation is looked up in (pages of 100).
_MAX_GROUP_PAGES = 50
_NO_STANDING = (
    "the token's holder does not (or no longer) represent its organisation, so it reads"
    " the public views only, not {what}"
)
#: Seconds a caller's group memberships are trusted before they are read again.
FORUMS_TTL = 5.0


class Visibility:
    """The caller's read rights, with the forums it belongs to looked up once."""

    def __init__(self, principal: Principal, db: ReadDatabase) -> None:
        self.principal, self.db = principal, db
        self._scope: ForumScope | None = None
        self._forums: frozenset[UUID] | None = None
        self._read_at = 0.0

    @property
    def signed_in(self) -> bool:
        return not self.principal.is_anonymous

    def require_signed_in(self, what: str) -> None:
        """Refuse anonymous callers: `what` is not public."""
        if not self.signed_in:
            raise unauthenticated(
                f"sign in to read {what}: anonymous callers read public views only"
            )

    async def reads_partnership(self) -> bool:
        """Whether the caller reads what the partnership sees: admins and auditors, and a
        representative or convenor while its holder's mandate holds."""
        if not self.signed_in:
            return False
        if self.principal.reads_everything:
            return True
        return (await self._standing()).member is not None

    async def require_partnership(self, what: str) -> None:
        """Refuse callers who may not read the partnership's business: `what` is part of it.

        Raises:
            GraphQLError: UNAUTHENTICATED for anonymous callers; FORBIDDEN for a token
                whose holder no longer represents its organisation.
        """
        self.require_signed_in(what)
        if not await self.reads_partnership():
            raise forbidden(_NO_STANDING.format(what=what))

    def require_everything(self, what: str) -> None:
        """Refuse all but admins and auditors."""
        self.require_signed_in(what)
        if not self.principal.reads_everything:
            raise forbidden(f"only the secretariat and auditors read {what}")

    async def forum_scope(self) -> ForumScope | None:
        """The working groups a list across forums may show, as its query's condition.

        None for those who read everything. Lists filter in SQL with it, so their pages
        are full and `hasNextPage` is truthful; `sees_forum` applies the same rule to
        single rows.
        """
        if self.principal.reads_everything:
            return None
        return await self._standing()

    async def _standing(self) -> ForumScope:
        """What of the token's organisation and groups holds today, by the views.

        Read once per request; a subscription, which lives as long as its connection,
        reads it again every `FORUMS_TTL` seconds, so an ended mandate, a new convenor
        or a group joined or left shows.
        """
        if self._scope is None or time.monotonic() - self._read_at > FORUMS_TTL:
            principal = self.principal
            scope = ForumScope()
            if principal.person_id is not None:
                scope = await confirmed_scope(
                    self.db,
                    person_id=principal.person_id,
                    org_id=principal.org,
                    groups=principal.groups,
                    on=datetime.now(UTC).date(),
                )
            self._scope, self._forums, self._read_at = scope, None, time.monotonic()
        return self._scope

    async def forums(self) -> frozenset[UUID]:
        """The working groups the caller belongs to: its organisation's and those it convenes."""
        scope = await self._standing()
        if self._forums is None:
            found: set[UUID] = set(scope.groups)
            after: str | None = None
            for _ in range(_MAX_GROUP_PAGES if scope.member is not None else 0):
                page = await list_forums(
                    self.db, kind="working_group", member_id=scope.member, first=100, after=after
                )
                found.update(forum.id for forum in page.nodes)
                if not page.page_info.has_next_page:
                    break
                after = page.page_info.end_cursor
            self._forums = frozenset(found)
        return self._forums

    async def sees_forum(self, forum_id: UUID | None) -> bool:
        """Whether the caller reads what happens inside a working group (None: no group)."""
        if not await self.reads_partnership():
            return False
        if forum_id is None or self.principal.reads_everything:
            return True
        return forum_id in await self.forums()

    async def require_forum(self, forum_id: UUID) -> None:
        if not await self.sees_forum(forum_id):
            await self.require_partnership("a working group's business")
            raise forbidden("only the members of a working group read its decisions and actions")

    async def sees_event(self, event: LoggedEvent) -> bool:
        """Whether the caller may see an event: by the audience of what it tells."""
        return await self.sees_audience(shown_audience(event))

    async def sees_audience(self, audience: str) -> bool:
        """Whether the caller may see an event with this audience."""
        if audience == Audience.PUBLIC.value:
            return True
        if not await self.reads_partnership():
            return False
        if self.principal.reads_everything:
            return True
        if audience in {Audience.PARTNERSHIP.value, Audience.TRANSNATIONAL.value}:
            return True
        if joint_group_of(audience) is not None:
            return True  # the partnership's own joint groups with its partners
        if audience.startswith("forum:"):
            try:
                forum_id = UUID(audience.removeprefix("forum:"))
            except ValueError:
                return False
            return await self.sees_forum(forum_id)
        return False


def shown_audience(event: LoggedEvent) -> str:
    """The audience an event is shown to: its own, narrowed where it tells what another
    stream keeps for fewer readers.

    A follow-up raised at a workshop is recorded for the workshop's audience (the
    partnership), but it repeats the action it becomes: its description, owner and
    group. A working group's action is read by that group's members only, so the event
    is shown to them only, as the action itself is.
    """
    if event.topic == Workshop.FollowUpRaised.TOPIC:
        group = event.data.get("group_id")
        if group is not None:
            return forum_audience(UUID(str(group)))
    return event.audience
