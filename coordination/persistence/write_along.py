"""Rows a save writes in its events' own transaction, besides the events.

Some rows must be exactly as durable as the events that need them: a person's key (or,
on SQLite, which of the node's keys is theirs) must never be lost while an event sealed
with it is kept (decision 39). The application passes `WRITE_ALONG`, a keyword the
library hands through to the recorder; the recorder calls it once the events are mapped
(sealing them is what decides the rows) and runs each statement in its insert's
transaction. A statement that fails (a key another writer made first) rolls the events
back with it, as an `IntegrityError`, and the command runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: The keyword `Application.save` passes to the recorder: a `WriteAlong`.
WRITE_ALONG = "write_along"

#: One statement in the recorder's parameter style (`?` on SQLite, `%s` on PostgreSQL).
Statement = tuple[str, tuple[Any, ...]]
#: What the save passes: called after the events are mapped, the statements to run.
WriteAlong = Callable[[], Sequence[Statement]]


def statements_along(kwargs: Mapping[str, Any]) -> Sequence[Statement]:
    """The statements the save asked its recorder to run with its events; none if none."""
    along: WriteAlong | None = kwargs.get(WRITE_ALONG)
    return along() if along is not None else ()
