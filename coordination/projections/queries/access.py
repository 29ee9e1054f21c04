"""Which working groups' business a reader sees: its standing, and a list query's condition.

A reader's token claims an organisation and, for a convenor, groups; `confirmed_scope`
keeps what the views say holds today, by the rules of `coordination.domain.standing`,
which commands apply to the streams (`coordination.auth.authorization.standing`): the
organisation while its holder has a current mandate for it, each group while the holder
is its appointed convenor for that organisation. Lists across forums (decisions,
actions) then filter in SQL rather than after the query: a page holds `first` readable
rows whenever that many exist, `hasNextPage` says whether more readable rows follow, and
a row the reader may not see never leaves the database. The rule is the one
`coordination.graphql.visibility` applies to single rows: a working group's business is
read by its active member organisations and by its convenor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from coordination.domain.partnership import Mandate, Member
from coordination.domain.standing import convenes, holds_mandate
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.pagination import Query
from coordination.projections.tables import parse_uuid, to_day, to_uuid

#: The working groups an organisation is an active member of; ``{}`` is its id.
_GROUPS_OF_MEMBER = (
    "SELECT m.forum_id FROM rv_forum_members m JOIN rv_forums f ON f.forum_id = m.forum_id"
    " WHERE m.org_id = {} AND m.active = 1 AND f.kind = 'working_group'"
)


@dataclass(frozen=True)
class ForumScope:
    """The working groups whose business a signed-in reader who does not read everything sees.

    Attributes:
        member: The reader's organisation, while it represents it: the groups it is an
            active member of count.
        groups: Groups named outright (those the reader convenes).
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


async def confirmed_scope(
    db: ReadDatabase, *, person_id: UUID, org_id: UUID | None, groups: frozenset[UUID], on: date
) -> ForumScope:
    """The part of a token's claims that holds on `on`, by the views.

    Args:
        db: The read database.
        person_id: The token's holder.
        org_id: The organisation the token names, if any.
        groups: The working groups it names (a convenor's).
        on: The day of the read.

    Returns:
        The organisation while its holder holds a current mandate for it (else none:
        the reader then reads as one with no organisation), and of the groups those
        whose appointed convenor the holder is, for that organisation.
    """
    if org_id is None:
        return ForumScope()
    member = await _member(db, org_id)
    mandates = await _mandates(db, person_id, org_id)
    if not holds_mandate(person_id, org_id, member, mandates, on):
        return ForumScope()
    appointed = await _convenors(db, groups)
    convened = frozenset(
        group
        for group, convenor in appointed.items()
        if convenes(person_id, org_id, convenor, mandate_held=True)
    )
    return ForumScope(member=org_id, groups=convened)


async def _member(db: ReadDatabase, org_id: UUID) -> Member | None:
    row = await db.fetchrow(
        "SELECT name, kind, admitted_on, withdrawn_on FROM rv_organisations WHERE org_id = $1",
        str(org_id),
    )
    if row is None:
        return None
    return Member(row["name"], row["kind"], _day(row["admitted_on"]), to_day(row["withdrawn_on"]))


async def _mandates(db: ReadDatabase, person_id: UUID, org_id: UUID) -> list[Mandate]:
    rows = await db.fetch(
        "SELECT starts_on, ends_on, ended_on, alternate FROM rv_mandates"
        " WHERE org_id = $1 AND person_id = $2",
        str(org_id),
        str(person_id),
    )
    return [
        Mandate(
            person_id,
            org_id,
            _day(row["starts_on"]),
            to_day(row["ends_on"]),
            bool(row["alternate"]),
            to_day(row["ended_on"]),
        )
        for row in rows
    ]


async def _convenors(
    db: ReadDatabase, groups: frozenset[UUID]
) -> dict[UUID, tuple[UUID | None, UUID | None]]:
    """Each named group's appointed convenor (person, organisation), as the views say."""
    if not groups:
        return {}
    named = sorted(str(group) for group in groups)
    placeholders = ", ".join(f"${n}" for n in range(1, len(named) + 1))
    rows = await db.fetch(
        # Placeholders only are formatted in; the ids are bound.
        "SELECT forum_id, convenor_person_id, convenor_org_id FROM rv_forums"  # noqa: S608
        f" WHERE forum_id IN ({placeholders})",
        *named,
    )
    return {
        parse_uuid(row["forum_id"]): (
            to_uuid(row["convenor_person_id"]),
            to_uuid(row["convenor_org_id"]),
        )
        for row in rows
    }


def _day(value: object) -> date:
    """A day the view always holds (an admission, a mandate's start)."""
    return date.fromisoformat(str(value))
