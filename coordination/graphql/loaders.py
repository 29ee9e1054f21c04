"""Per-request memoised lookups: each view row is read at most once per request.

Nested fields (a decision's forum, an action's owner) ask for the same rows again and
again; the first ask starts the read and later asks await the same task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext

T = TypeVar("T")


def memoised(
    info: strawberry.Info[GraphQLContext, None],
    kind: str,
    key: UUID,
    load: Callable[[], Awaitable[T]],
) -> Awaitable[T]:
    """The read of `kind` `key` in this request, started once."""
    cache: dict[Any, Any] = info.context.cache
    task = cache.get((kind, key))
    if task is None:
        task = asyncio.ensure_future(load())
        cache[(kind, key)] = task
    result: Awaitable[T] = task
    return result
