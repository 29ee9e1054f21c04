"""Relay conventions: the Node interface, global ids and cursor connections.

A global id is ``base64url("<Type>:<uuid>")``, opaque to clients and stable. Every node
also exposes its plain `uuid`, which is what mutation inputs take. Connections wrap the
views' keyset pages (whose cursors are signed by the projections, so a tampered cursor
is refused there) and refuse pages larger than `MAX_PAGE`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar
from uuid import UUID

import strawberry

from coordination.graphql.errors import bad_input
from coordination.projections.pagination import Page, PaginationError

MAX_PAGE = 100
DEFAULT_PAGE = 20

T = TypeVar("T")
R = TypeVar("R")


def global_id(type_name: str, uuid: UUID) -> strawberry.ID:
    """The opaque global id of a node."""
    raw = f"{type_name}:{uuid}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def parse_global_id(value: str) -> tuple[str, UUID]:
    """The type name and uuid of a global id.

    Raises:
        RequestError: BAD_USER_INPUT when the id is not one this API gave out.
    """
    try:
        padded = value + "=" * (-len(value) % 4)
        type_name, _, raw_uuid = base64.urlsafe_b64decode(padded).decode().partition(":")
        return type_name, UUID(raw_uuid)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_input("this id is not a node id of this API", argument="id") from None


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="The global id, for `node(id:)`.")
    uuid: UUID = strawberry.field(description="The plain id, as mutation inputs take it.")


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None = strawberry.field(resolver=lambda root: root.start_cursor_of())
    end_cursor: str | None = strawberry.field(resolver=lambda root: root.end_cursor_of())
    #: Make the cursors when the query asks for them, as `Edge.cursor_of` does.
    start_cursor_of: strawberry.Private[Callable[[], str | None]]
    end_cursor_of: strawberry.Private[Callable[[], str | None]]


@strawberry.type(description="One item of a page and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(resolver=lambda root: root.cursor_of())
    node: T
    #: Makes the cursor when the query asks for it (signing one costs an HMAC).
    cursor_of: strawberry.Private[Callable[[], str]]


@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The page's items without their cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def check_first(first: int) -> int:
    """Refuse page sizes outside 0..MAX_PAGE before any query runs."""
    if not 0 <= first <= MAX_PAGE:
        raise bad_input(f"first must be between 0 and {MAX_PAGE} (got {first})", "first")
    return first


async def fetch_page(load: Callable[[], Awaitable[Page[R]]]) -> Page[R]:
    """Run a view's list query, turning a bad cursor or page size into BAD_USER_INPUT."""
    try:
        return await load()
    except PaginationError as error:
        raise bad_input(str(error), "after") from None


def connection(page: Page[R], convert: Callable[[R], T]) -> Connection[T]:
    """A connection of `page`'s rows converted to GraphQL types.

    Rows the caller may not read are left out by the view's query itself (see
    `Visibility.forum_scope`), never here, so that a page is full and its `hasNextPage`
    truthful.
    """
    edges = [Edge(node=convert(edge.node), cursor_of=edge.cursor_of) for edge in page.edges]
    info = page.page_info
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=info.has_next_page,
            has_previous_page=info.has_previous_page,
            start_cursor_of=lambda: info.start_cursor,
            end_cursor_of=lambda: info.end_cursor,
        ),
    )
