"""Per-request memoised lookups: each view row is read at most once per request.

Nested fields (a decision's forum, an action's owner) ask for the same rows again and
again; the first ask starts the read and later asks await the same task. Lists nested in
a list (each decision's positions) are read for the whole page at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader

from coordination.graphql.context import GraphQLContext
from coordination.projections.pagination import Page
from coordination.projections.queries import decisions, documents

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


def first_positions(
    info: strawberry.Info[GraphQLContext, None], first: int
) -> DataLoader[UUID, Page[decisions.PositionView]]:
    """Loads the first `first` positions of every decision the operation asks about at
    once: the decisions of a page ask in the same turn of the event loop."""
    cache: dict[Any, Any] = info.context.cache
    loader: DataLoader[UUID, Page[decisions.PositionView]] | None = cache.get(("positions", first))
    if loader is None:
        db = info.context.services.db

        async def load(ids: list[UUID]) -> list[Page[decisions.PositionView]]:
            pages = await decisions.list_positions_of(db, ids, first=first)
            return [pages[decision] for decision in ids]

        loader = DataLoader(load_fn=load)
        cache[("positions", first)] = loader
    return loader


def decision_proxies(
    info: strawberry.Info[GraphQLContext, None],
) -> DataLoader[UUID, list[decisions.ProxyView]]:
    """Loads the proxies of every decision the operation asks about at once."""
    cache: dict[Any, Any] = info.context.cache
    loader: DataLoader[UUID, list[decisions.ProxyView]] | None = cache.get("proxies")
    if loader is None:
        db = info.context.services.db

        async def load(ids: list[UUID]) -> list[list[decisions.ProxyView]]:
            found = await decisions.proxies_of(db, ids)
            return [found[decision] for decision in ids]

        loader = DataLoader(load_fn=load)
        cache["proxies"] = loader
    return loader


def document_evidence(
    info: strawberry.Info[GraphQLContext, None],
) -> DataLoader[UUID, list[documents.EvidenceView]]:
    """Loads the evidence links of every document the operation asks about at once."""
    cache: dict[Any, Any] = info.context.cache
    loader: DataLoader[UUID, list[documents.EvidenceView]] | None = cache.get("evidence")
    if loader is None:
        db = info.context.services.db

        async def load(ids: list[UUID]) -> list[list[documents.EvidenceView]]:
            found = await documents.evidence_of(db, ids)
            return [found[document] for document in ids]

        loader = DataLoader(load_fn=load)
        cache["evidence"] = loader
    return loader
