"""Which working groups' business a reader sees, as a condition of a list query.

Lists across forums (decisions, actions) filter in SQL rather than after the query: a
page then holds `first` readable rows whenever that many exist, `hasNextPage` says
whether more readable rows follow, and a row the reader may not see never leaves the
database. The rule is the one `coordination.graphql.visibility` applies to single rows:
a working group's business is read by its active member organisations and by the
convenors its token names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from coordination.projections.pagination import Query

#: The working groups an organisation is an active member of; ``{}`` is its id.
_GROUPS_OF_MEMBER = (
    "SELECT m.forum_id FROM rv_forum_members m JOIN rv_forums f ON f.forum_id = m.forum_id"
    " WHERE m.org_id = {} AND m.active = 1 AND f.kind = 'working_group'"
)


@dataclass(frozen=True)
class ForumScope:
    """The working groups whose business a signed-in reader who does not read everything sees.

    Attributes:
        member: The reader's organisation: the groups it is an active member of count.
        groups: Groups named outright (those a convenor's token says it runs).
    """

    member: UUID | None = None
    groups: frozenset[UUID] = field(default_factory=frozenset)

    def restrict(self, query: Query, column: str, *, outside: str) -> None:
        """Keep the rows whose `column` (a group id) is in scope, or that match `outside`.

        Args:
            query: The list query being built.
            column: The row's working group id.
            outside: SQL true for rows that belong to no working group (always readable).
        """
        alternatives = [outside]
        values: list[str] = []
        if self.member is not None:
            alternatives.append(f"{column} IN ({_GROUPS_OF_MEMBER})")
            values.append(str(self.member))
        if self.groups:
            named = sorted(str(group) for group in self.groups)
            alternatives.append(f"{column} IN ({', '.join('{}' for _ in named)})")
            values.extend(named)
        query.where(f"({' OR '.join(alternatives)})", *values)
