"""Keyset pagination with signed, opaque cursors, shared by every list query.

A cursor names the list it belongs to and the sort key of the last row seen, and carries
an HMAC of both under the read database's key: a cursor altered by hand, cut short or
taken from another list is refused with `InvalidCursor`. The next page starts strictly
after the cursor's sort key, so a cursor whose row has since gone still continues from
where it was. Pages hold at most `MAX_FIRST` rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from coordination.persistence.readdb import Handle, ReadDatabase, Row

T = TypeVar("T")
U = TypeVar("U")
MAX_FIRST = 100
DEFAULT_FIRST = 20
_MAC_BYTES = 16


class PaginationError(ValueError):
    """A page request that cannot be served; the message says why."""


class InvalidCursor(PaginationError):
    """The `after` cursor is malformed, altered, or belongs to another list."""


class PageTooLarge(PaginationError):
    """`first` is negative or above `MAX_FIRST`."""


@dataclass(frozen=True)
class PageInfo:
    """Where a page sits; its first and last cursors are signed when read, as an edge's
    are (a group's page has some twenty lists, and few queries ask for their cursors)."""

    has_next_page: bool
    has_previous_page: bool
    first: Edge[Any] | None
    last: Edge[Any] | None

    @property
    def start_cursor(self) -> str | None:
        return None if self.first is None else self.first.cursor

    @property
    def end_cursor(self) -> str | None:
        return None if self.last is None else self.last.cursor


class Edge(Generic[T]):
    """A row of a page and its cursor. The cursor is signed only when it is read: a page
    query rarely asks for every edge's cursor, and the HMAC was a noticeable part of a
    page's cost (docs/performance.md).
    """

    __slots__ = ("cursor_of", "node")

    def __init__(self, node: T, cursor_of: Callable[[], str]) -> None:
        self.node, self.cursor_of = node, cursor_of

    @property
    def cursor(self) -> str:
        return self.cursor_of()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Edge):
            return NotImplemented
        return (self.node, self.cursor) == (other.node, other.cursor)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and not immutable

    def __repr__(self) -> str:
        return f"Edge({self.node!r}, cursor={self.cursor!r})"

    def with_node(self, node: U) -> Edge[U]:
        """The same place in the list, holding `node` (a row completed by a second read)."""
        return Edge(node, self.cursor_of)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its edges (node and cursor) and where it stands."""

    edges: list[Edge[T]]
    page_info: PageInfo

    @property
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(key: bytes, list_name: str, values: Sequence[str | int]) -> str:
    payload = json.dumps([list_name, list(values)], separators=(",", ":")).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return f"{_b64(payload)}.{_b64(mac)}"


def decode_cursor(key: bytes, list_name: str, cursor: str, arity: int) -> list[str | int]:
    """The sort key in `cursor`, refusing anything this service did not issue for the list."""
    if not isinstance(cursor, str) or cursor.count(".") != 1 or len(cursor) > 2000:
        raise InvalidCursor("the cursor is not one this service issued")
    body, signature = cursor.split(".")
    try:
        payload, mac = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError):
        raise InvalidCursor("the cursor is not one this service issued") from None
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise InvalidCursor("the cursor was altered or comes from another server")
    name, values = json.loads(payload)
    if name != list_name:
        raise InvalidCursor(f"the cursor belongs to the {name} list, not to {list_name}")
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidCursor("the cursor is not one this service issued")
    return list(values)


def check_first(first: int) -> int:
    if isinstance(first, bool) or not isinstance(first, int) or not 0 <= first <= MAX_FIRST:
        raise PageTooLarge(f"first must be a whole number from 0 to {MAX_FIRST}")
    return first


@dataclass
class Query:
    """A SELECT being built: conditions with numbered placeholders and their arguments."""

    select: str
    conditions: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def where(self, condition: str, *values: Any) -> Query:
        """Add `condition`, whose ``{}`` stand for `values` in order."""
        self.conditions.append(condition.format(*(self.arg(v) for v in values)))
        return self

    def sql(self, suffix: str = "") -> str:
        where = f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""
        return f"{self.select}{where}{suffix}"


async def paginate(
    db: ReadDatabase | Handle,
    cursor_key: bytes,
    list_name: str,
    query: Query,
    sort: Sequence[str],
    convert: Callable[[Row], T],
    *,
    first: int,
    after: str | None,
) -> Page[T]:
    """Run `query` ordered by the `sort` expressions (unique together), one page of it.

    The query's select list must contain ``{keys}``, where the sort keys are selected.
    """
    size = check_first(first)
    _select_sort_keys(query, sort)
    if after is not None:
        values = decode_cursor(cursor_key, list_name, after, len(sort))
        marks = ", ".join(query.arg(v) for v in values)
        query.conditions.append(f"({', '.join(sort)}) > ({marks})")
    limit = query.arg(size + 1)
    rows = await db.fetch(query.sql(f" ORDER BY {', '.join(sort)} LIMIT {limit}"), *query.args)
    return _page(rows, size, cursor_key, list_name, len(sort), convert, after=after)


async def paginate_groups(
    db: ReadDatabase | Handle,
    cursor_key: bytes,
    list_name: str,
    query: Query,
    sort: Sequence[str],
    convert: Callable[[Row], T],
    *,
    groups: Sequence[str],
    first: int,
) -> dict[str, Page[T]]:
    """The first page of `query` for each of several values of its first sort key, at once.

    Each page equals what `paginate` returns for that value alone (without a cursor),
    cursors included: one read instead of one per value, for lists nested in a list
    (the positions of each decision on a page).
    """
    size = check_first(first)
    order = ", ".join(sort)
    _select_sort_keys(
        query, sort, f"ROW_NUMBER() OVER (PARTITION BY {sort[0]} ORDER BY {order}) AS _rank"
    )
    query.conditions.append(f"{sort[0]} IN ({', '.join(query.arg(g) for g in groups)})")
    limit = query.arg(size + 1)
    outer = ", ".join(f"_k{n}" for n in range(len(sort)))
    # Only the caller's constant expressions are spliced in; every value is a placeholder.
    sql = f"SELECT * FROM ({query.sql()}) ranked WHERE _rank <= {limit} ORDER BY {outer}"  # noqa: S608
    rows = await db.fetch(sql, *query.args)
    grouped: dict[str, list[Row]] = {group: [] for group in groups}
    for row in rows:
        grouped[row["_k0"]].append(row)
    return {
        group: _page(found, size, cursor_key, list_name, len(sort), convert, after=None)
        for group, found in grouped.items()
    }


def _select_sort_keys(query: Query, sort: Sequence[str], *extra: str) -> None:
    """Put the sort expressions (as ``_k0``, ``_k1``, ...) and `extra` columns where the
    query's select list says ``{keys}``."""
    keys = [f"{expression} AS _k{n}" for n, expression in enumerate(sort)]
    query.select = query.select.replace("{keys}", ", ".join([*keys, *extra]), 1)


def _sort_key(row: Row, arity: int) -> list[Any]:
    """The sort key a row was selected with (what its cursor encodes)."""
    return [row[f"_k{n}"] for n in range(arity)]


def _page(
    rows: Sequence[Row],
    size: int,
    cursor_key: bytes,
    list_name: str,
    arity: int,
    convert: Callable[[Row], T],
    *,
    after: str | None,
) -> Page[T]:
    """A page of `rows` (read with one more than `size`, to know whether more follow)."""
    edges = [
        Edge(convert(row), partial(encode_cursor, cursor_key, list_name, _sort_key(row, arity)))
        for row in rows[:size]
    ]
    return Page(
        edges,
        PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            first=edges[0] if edges else None,
            last=edges[-1] if edges else None,
        ),
    )
