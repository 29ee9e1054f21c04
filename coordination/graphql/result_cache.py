"""Results of view queries, kept per position of the views (docs/decisions/0009).

The views only change when the projector commits, and every commit raises its position;
a query's result is therefore fixed by (document, variables, the caller's read rights,
the day, the views' position). While that position holds, the same query for callers
with the same rights is answered from memory, and concurrent identical queries are run
once. Read-your-writes holds: a mutation returns only once the position includes it, and
a result is only ever stored under a position the views had already reached when it was
computed. Which queries may be kept is declared beside each root field (`cacheability`:
those that read the event store itself, the audit trail and past states, or the signed
log are not), and anything but queries is never kept; `pipeline.keeping` is the step
both execution paths take through this cache.

Over HTTP the answer is also kept as the response's bytes, keyed by the request body
itself: a repeated request is then answered before any GraphQL work (parsing,
validation, execution, JSON encoding), which is most of what a cached page cost.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from graphql import ExecutionResult as GraphQLExecutionResult

from coordination.graphql.context import GraphQLContext
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.schema import live_position

Key = tuple[Any, ...]


class CachedResponse(NamedTuple):
    """An HTTP answer kept whole: its body, and the operation's name for the metrics."""

    body: bytes
    operation_name: str | None


def committed_position(runner: object, db: ReadDatabase) -> Callable[[], Awaitable[int | None]]:
    """The `confirm` of a process that does not project: reads the committed position
    (None, nothing to confirm, while this process's own runner is the one projecting)."""

    async def confirm() -> int | None:
        if getattr(runner, "is_active", True):
            return None
        return await live_position(db)

    return confirm


class ResultCache:
    """A bounded LRU of results, emptied whenever the views move.

    Args:
        position: The views' position as this process knows it (None: do not cache).
        size: Most results kept.
        confirm: Reads the views' committed position from the database, or None when
            `position` is already exact (the process that projects). A process that
            only follows learns of commits a moment late; a result it keeps could
            then miss a write another process has already answered, so it confirms
            the position before each cached answer.
    """

    def __init__(
        self,
        position: Callable[[], int | None],
        size: int = 256,
        *,
        confirm: Callable[[], Awaitable[int | None]] | None = None,
    ) -> None:
        self.position, self.size, self.confirm = position, size, confirm
        self._confirmed = 0
        self._results: OrderedDict[Key, GraphQLExecutionResult] = OrderedDict()
        self._responses: OrderedDict[Key, CachedResponse] = OrderedDict()
        self._running: dict[Key, asyncio.Future[GraphQLExecutionResult | None]] = {}
        self._at: int | None = None
        self.hits = self.misses = 0
        #: Of the hits, those answered with kept HTTP bytes.
        self.response_hits = 0

    async def confirm_position(self) -> None:
        """Bring the position up to what the database says, where it may lag."""
        if self.confirm is not None:
            confirmed = await self.confirm()
            if confirmed is not None:
                self._confirmed = max(self._confirmed, confirmed)

    def current(self) -> int | None:
        """The views' position, dropping every result of an earlier one."""
        at = self.position()
        if at is not None:
            at = max(at, self._confirmed)
        if at != self._at:
            self._results.clear()
            self._responses.clear()
            self._at = at
        return at

    def response_key(self, body: bytes, context: GraphQLContext) -> Key | None:
        """The key of an HTTP request's answer: the body bytes, the rights, the day."""
        position = self.current()
        if position is None:
            return None
        return (position, body, *rights(context))

    def response(self, key: Key) -> CachedResponse | None:
        found = self._responses.get(key)
        if found is not None:
            self._responses.move_to_end(key)
            self.hits += 1
            self.response_hits += 1
        return found

    def keep_response(self, key: Key, response: CachedResponse) -> None:
        """Keep an answer computed at the position in `key`, if the views are still there."""
        if key[0] != self._at:
            return
        self._responses[key] = response
        while len(self._responses) > self.size:
            self._responses.popitem(last=False)

    def get(self, key: Key) -> GraphQLExecutionResult | None:
        found = self._results.get(key)
        if found is not None:
            self._results.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key: Key, result: GraphQLExecutionResult) -> None:
        self._results[key] = result
        while len(self._results) > self.size:
            self._results.popitem(last=False)

    async def kept_or_shared(self, key: Key) -> GraphQLExecutionResult | None:
        """The result kept under `key`, or that of the same query running now (shielded:
        a caller that goes away does not cancel it for the others); None: run it, between
        `start` and `finish`."""
        found = self.get(key)
        if found is None:
            running = self._running.get(key)
            if running is not None:
                found = await asyncio.shield(running)
        return found

    def start(self, key: Key) -> asyncio.Future[GraphQLExecutionResult | None]:
        self.misses += 1
        future: asyncio.Future[GraphQLExecutionResult | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._running[key] = future
        return future

    def finish(self, key: Key, result: GraphQLExecutionResult | None) -> None:
        future = self._running.pop(key, None)
        if result is not None and key[0] == self._at:
            self.put(key, result)
        if future is not None and not future.done():
            future.set_result(result)


def result_key(
    cache: ResultCache,
    context: GraphQLContext,
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> Key | None:
    """The key of a view query's result at the views' current position (None: do not
    keep it): the document, operation and variables, the caller's rights, the day."""
    position = cache.current()
    if position is None:
        return None
    return (
        position,
        query,
        operation_name,
        json.dumps(variables, sort_keys=True, default=str),
        *rights(context),
    )


def rights(context: GraphQLContext) -> Key:
    """What the caller's read rights depend on besides the views' position: the role,
    the person and its claims, and the day (mandates are dated).

    The person counts as well as the claims: two tokens that claim the same organisation
    read differently when only one holder still represents it (decision 22).
    """
    principal = context.principal
    return (
        principal.role,
        principal.person_id,
        principal.org,
        principal.groups,
        context.today,
    )
