"""Running a command from a mutation: authorization, context from the token, where it
runs, freshness.

Every mutation goes through `execute`: the caller's authorization first
(`coordination.auth.authorization`: the role at once, nothing loaded for a role that may
never run the command; the checks that read streams in the command's unit of work, before
it), then the command itself with a `Context` built from the principal (never from the
input), and the log position of its last event: on the event loop's thread where that is
safe, else in a command thread (`placement`, decision 17). Then the event tail is woken and the call
waits (bounded) until the views include that position, so a query sent right after the
answer sees the change.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

import strawberry

from coordination.application import CommandOptions, CommandResult, Coordination
from coordination.auth import authorization
from coordination.auth.authorization.targets import TargetOf
from coordination.domain.context import Context
from coordination.domain.errors import DomainError
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import CommandError, from_domain, invalid_input
from coordination.graphql.mutations.placement import CommandPlacement
from coordination.runtime import prompt_handoff

log = logging.getLogger("coordination.graphql.commands")

IDEMPOTENCY_KEY_MAX = 200

Info = strawberry.Info[GraphQLContext, None]
Call = Callable[[Coordination, Context, CommandOptions], CommandResult]


@strawberry.input(description="Options every command input accepts.")
class CommandInput:
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retried command with the same key records nothing twice and"
        " returns the first answer.",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version of the command's stream the caller last saw; any other"
        " version is a Conflict.",
    )


@strawberry.interface(description="What every successful command returns.")
class CommandPayload:
    stream_id: UUID = strawberry.field(description="The stream the command changed.")
    version: int = strawberry.field(description="The stream's version after the command.")
    created_id: UUID | None = strawberry.field(
        description="The id of what the command created (member, theme, stream, ...), if any."
    )
    projected: bool = strawberry.field(
        description="True when the views already include the change (read-your-writes)."
    )
    log_position: int = strawberry.field(
        description="The position of the command's last event in the node's log of events"
        " (`RecordedEvent.logPosition`): subscribe to `events` with `afterLogPosition` set"
        " to it to follow on from here."
    )


P = TypeVar("P", bound=CommandPayload)
R = TypeVar("R")
#: The interpreter's switch interval while a command runs in a command thread on
#: PostgreSQL (CPython's default is 5 ms): one writer among busy readers waited less for
#: its commands. On SQLite it did not help that writer and cost 32 writers (decision 15).
COMMAND_SWITCH_INTERVAL = 0.001


async def execute(
    info: Info,
    command: str,
    options: CommandInput,
    call: Call,
    payload: type[P],
    target: TargetOf,
) -> P | CommandError:
    """Run one command for the caller and build its payload, or return why not.

    Args:
        info: The resolver's info (context: services, principal, request id).
        command: The mutation's name, a key of the authorization's matrix.
        options: The input, for its idempotency key and expected version.
        call: Runs the command on the application with the given context and options.
        payload: The success type to build from the command's result.
        target: What the command touches: the partnership it is in (where a claimed
            organisation's mandate is checked), and what grants that depend on it need.
    """
    context = info.context
    principal = context.principal
    services = context.services
    try:
        check = authorization.command_check(principal, command, target)
    except DomainError as error:
        return _refused(context, command, error)
    key = options.idempotency_key
    if key is not None and not 0 < len(key.strip()) <= IDEMPOTENCY_KEY_MAX:
        return invalid_input(
            f"has at most {IDEMPOTENCY_KEY_MAX} characters"
            if key.strip()
            else "must have a character other than spaces",
            "idempotency_key",
        )
    command_options = CommandOptions(idempotency_key=key, expected_version=options.expected_version)
    ctx = principal.context(origin=services.origin, request_id=context.request_id)

    placement = services.placement
    on_loop = placement is not None and placement.on_loop()
    # Only a command thread waits for the loop to hand the interpreter back; one on the
    # loop's own thread has nothing to wait for, and other threads nothing to gain.
    handoff = COMMAND_SWITCH_INTERVAL if services.db.is_postgres and not on_loop else None

    def run() -> tuple[CommandResult, int]:
        app = services.app
        # The check and the command share what they read, and the command's save holds
        # the check's reads to their versions too (a command that lost a race checks again).
        with prompt_handoff(handoff), app.reading_once(lambda: check(app, ctx)):
            result = call(app, ctx, command_options)
        if result.position is not None:
            return result, result.position
        return result, app.recorder.max_notification_id() or 0

    if services.metrics is not None:
        services.metrics.command_placement.labels("loop" if on_loop else "thread").inc()
    try:
        if placement is not None and on_loop:
            result, position = _on_loop(placement, run)
        else:
            # The endpoint's own two-thread executor (decision 12): waiting mutations
            # queue in it, not as tasks polling anyio's CapacityLimiter.
            work = contextvars.copy_context()  # the request and correlation ids, for logs
            loop = asyncio.get_running_loop()
            result, position = await loop.run_in_executor(services.command_threads, work.run, run)
    except DomainError as error:
        return _refused(context, command, error)
    services.tail.wake()
    projected = await services.waiter.wait_until(position, services.config.command_wait_seconds)
    if services.metrics is not None:
        services.metrics.commands.labels(command, "ok").inc()
    log.info(
        "command handled",
        extra={
            "fields": {
                "command": command,
                "stream_id": str(result.stream_id),
                "version": result.version,
                "position": position,
                "projected": projected,
                "on_loop": on_loop,
            }
        },
    )
    return payload(
        stream_id=result.stream_id,
        version=result.version,
        created_id=result.created_id,
        projected=projected,
        log_position=position,
    )


def _on_loop(placement: CommandPlacement, run: Callable[[], R]) -> R:
    """Run a command on the event loop's thread, telling `placement` how it went."""
    started, failed = placement.clock(), True
    try:
        done = run()
        failed = False
        return done
    except DomainError:
        failed = False  # a refusal: the store answered as it should
        raise
    finally:
        placement.ran_on_loop(placement.clock() - started, failed=failed)


def _refused(context: GraphQLContext, command: str, error: DomainError) -> CommandError:
    if context.services.metrics is not None:
        context.services.metrics.commands.labels(command, error.code).inc()
    log.info("command refused", extra={"fields": {"command": command, "code": error.code}})
    return from_domain(error)
