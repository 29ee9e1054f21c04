"""The record of a command that carried an idempotency key.

Saved in the same transaction as the events the command recorded, so a retried command
either finds this record (and gets the first result back) or records everything anew;
there is no window in which the events exist without the record or the other way round.
The stream id is derived from the actor and the key, so two concurrent retries collide
on the library's (stream, version) key and only one of them commits.
"""

from __future__ import annotations

import hashlib
from uuid import NAMESPACE_URL, UUID, uuid5

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput
from coordination.domain.values import Audience

KEY_MAX = 200
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:coordination:idempotency")


def command_record_id(actor: str, key: str) -> UUID:
    """The stream id of the record for `key` sent by `actor` (keys are scoped per actor)."""
    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise InvalidInput(f"must be 1 to {KEY_MAX} printable characters", field="idempotency_key")
    return uuid5(_NAMESPACE, f"{actor}\n{key}")


def fingerprint(command: str, arguments: str) -> str:
    """A digest of the command and its arguments, to catch a key reused for another command."""
    return hashlib.sha256(f"{command}\n{arguments}".encode()).hexdigest()


class CommandRecord(CoordinationAggregate):
    """One handled command: which one (by fingerprint) and what it returned."""

    TOPIC = "coordination.command"
    KIND = "command record"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Handled(CoordinationAggregate.Created):
        TOPIC = "coordination.command.handled"
        command: str
        fingerprint: str
        result: dict[str, str | int | None]

        def apply(self, record: CommandRecord) -> None:
            record.command = self.command
            record.fingerprint = self.fingerprint
            record.result = dict(self.result)

    def __init__(self) -> None:
        self.command = ""
        self.fingerprint = ""
        self.result: dict[str, str | int | None] = {}

    @classmethod
    def handled(
        cls,
        ctx: Context,
        *,
        key: str,
        command: str,
        command_fingerprint: str,
        result: dict[str, str | int | None],
    ) -> CommandRecord:
        return cls.start(
            cls.Handled,
            ctx,
            id=command_record_id(ctx.actor, key),
            audience=Audience.RESTRICTED.value,
            command=command,
            fingerprint=command_fingerprint,
            result=result,
        )
