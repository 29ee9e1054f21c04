"""Event types as clients name them in filters: the audit trail's and the events
subscription's `types`, and the internal ones shown only when named.

The API shows a type with its version (`coordination.decision.position_taken.v1`); the
log stores its topic without. A filter takes either spelling, and refuses a type or a
version that does not exist: an unknown one used to match nothing, silently.
"""

from __future__ import annotations

from functools import cache

from coordination.domain.catalogue import event_catalogue
from coordination.domain.command_record import CommandRecord
from coordination.graphql.errors import bad_input

#: The node's own bookkeeping in the log, not the partnership's business: the records of
#: idempotency keys (which command, a fingerprint of its arguments, its result).
INTERNAL_TOPICS = (CommandRecord.Handled.TOPIC,)


def hidden_topics(topics: list[str], *, include_internal: bool) -> tuple[str, ...]:
    """The topics a list of events leaves out: the internal ones, unless the caller asks
    for them (`includeInternal`, or a `types` filter, which shows only what it names)."""
    return () if topics or include_internal else INTERNAL_TOPICS


@cache
def _versions() -> dict[str, int]:
    """Each event type's topic and its current version (`docs/event-catalogue.json`)."""
    return {topic: entry["class_version"] for topic, entry in event_catalogue()["events"].items()}


def event_topics(types: list[str] | None) -> list[str]:
    """The stored topics of the event types a filter names; an unknown one is refused
    (BAD_USER_INPUT, naming the `types` argument)."""
    topics = []
    for given in types or ():
        topic, _, version = given.rpartition(".v")
        if not (topic and version.isdigit()):
            topic, version = given, ""
        current = _versions().get(topic)
        if current is None:
            raise bad_input(
                f"no event type {given!r}: types look like"
                " coordination.decision.position_taken.v1 (docs/event-catalogue.json)",
                "types",
            )
        if version and int(version) != current:
            raise bad_input(
                f"{topic} is at version {current}: every stored event of it is read as"
                f" {topic}.v{current}",
                "types",
            )
        topics.append(topic)
    return topics
