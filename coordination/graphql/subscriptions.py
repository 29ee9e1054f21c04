"""Live subscriptions over WebSocket (graphql-transport-ws): new events and view updates.

`events` follows the log through the process's event tail and shows each caller only the
events it may see, by the rules queries apply (`Visibility.sees_event`); the node's
internal records (idempotency records) only when asked for. `viewUpdates`
relays the projector's broadcast for one forum: a client re-reads its page when the
views it shows have moved.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.tokens import LEEWAY
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import RequestError, bad_input, unauthenticated
from coordination.graphql.event_log import LoggedEvent
from coordination.graphql.event_types import event_topics, hidden_topics
from coordination.graphql.forum_access import require_forum_of
from coordination.graphql.types.recorded_event import RecordedEvent

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A view moved: it has committed events up to `logPosition`.")
class ViewUpdate:
    view: str = strawberry.field(description="forums, decisions, actions, workshops, ...")
    log_position: int = strawberry.field(
        description="The position in the node's log of events the view has committed up to."
    )
    forum_ids: list[UUID] = strawberry.field(description="The forums whose data changed.")
    stream_ids: list[UUID]
    all_forums: bool = strawberry.field(
        description="The batch was too large to list: treat every forum as changed."
    )


def _wanted(
    event: LoggedEvent,
    stream_id: UUID | None,
    forum_id: UUID | None,
    types: list[str],
    hidden: tuple[str, ...],
) -> bool:
    if stream_id is not None and event.stream_id != stream_id:
        return False
    if forum_id is not None and forum_id not in {event.forum_id, event.stream_id}:
        return False
    if types and event.topic not in types:
        return False
    return event.topic not in hidden


def require_valid_token(info: Info) -> None:
    """End a subscription whose token expired or was revoked since the connection opened.

    The token is verified once, when the WebSocket connects; a subscription outlives
    that, so it is checked again before anything is sent (a `stat` of the revocation
    list, and a clock reading).
    """
    principal = info.context.principal
    if principal.expires_at is not None and datetime.now(UTC) >= principal.expires_at + LEEWAY:
        raise unauthenticated("the token has expired: ask for a new one and subscribe again")
    revocations = info.context.services.verifier.revocations
    if (
        revocations is not None
        and principal.token_id is not None
        and revocations.is_revoked(principal.token_id)
    ):
        raise unauthenticated("the token has been revoked: ask for a new one")


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Events as they are recorded, those the caller may see; from after"
        " `afterLogPosition` when given, else from now."
    )
    async def events(
        self,
        info: Info,
        stream_id: UUID | None = None,
        forum_id: Annotated[
            UUID | None,
            strawberry.argument(
                description="Events inside this working group, or of the forum's own stream."
            ),
        ] = None,
        types: Annotated[
            list[str] | None,
            strawberry.argument(
                description="Event types, with their version (coordination.decision."
                "position_taken.v1) or without."
            ),
        ] = None,
        after_log_position: Annotated[
            int | None,
            strawberry.argument(
                description="A position in the node's log of events (a payload's or an"
                " event's `logPosition`): the events after it are replayed first, so"
                " nothing is missed between a query and the subscription."
            ),
        ] = None,
        include_internal: Annotated[
            bool,
            strawberry.argument(
                description="Also the node's internal records (coordination.command.handled:"
                " idempotency keys' records), which are sent only when asked for, here or by"
                " naming them in `types`."
            ),
        ] = False,
    ) -> AsyncGenerator[RecordedEvent, None]:
        visibility = info.context.visibility
        topics = event_topics(types)
        hidden = hidden_topics(topics, include_internal=include_internal)
        if after_log_position is not None and after_log_position < 0:
            # It replayed the whole log, as from 0, where the caller meant something else.
            raise bad_input(
                f"afterLogPosition is a position in the log, 0 or more, not {after_log_position}",
                "afterLogPosition",
            )
        async for event in info.context.services.tail.subscribe(after_log_position):
            if _wanted(event, stream_id, forum_id, topics, hidden) and await visibility.sees_event(
                event
            ):
                require_valid_token(info)
                yield RecordedEvent.from_logged(event)

    @strawberry.subscription(description="The views of a forum moved; re-read what you show.")
    async def view_updates(self, info: Info, forum_id: UUID) -> AsyncGenerator[ViewUpdate, None]:
        await info.context.visibility.require_partnership("view updates")
        await require_forum_of(info, forum_id)
        source = info.context.services.updates
        if source is None:
            raise RequestError("this process runs no projector to follow", "UNAVAILABLE")
        async with source.subscribe() as updates:
            async for update in updates:
                all_forums = bool(getattr(update, "all_forums", False))
                if all_forums or forum_id in update.forum_ids:
                    require_valid_token(info)
                    # Still a member: a mandate may end while the connection lasts.
                    await require_forum_of(info, forum_id)
                    yield ViewUpdate(
                        view=update.view,
                        log_position=update.position,
                        forum_ids=sorted(update.forum_ids, key=str),
                        stream_ids=sorted(update.stream_ids, key=str),
                        all_forums=all_forums,
                    )
