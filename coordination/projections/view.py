"""A view: its tables and one handler per event topic it reads.

Handlers are pure functions of the event (and its position): no clock, no randomness, no
reads. Whatever they need from another stream is either stored in the view's own tables
by that stream's events and joined at query time, or carried by the event itself. That
makes every view replay-deterministic and lets a batch write blindly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coordination.projections.changes import Writer
from coordination.projections.tables import Table

Handler = Callable[[Any, Writer], None]

#: Event metadata no view reads, which the projector's decoder leaves out instead of
#: decoding: three ids and a timestamp on every event were most of a catch-up's id and
#: time parsing (docs/performance.md). A handler that reads one fails with
#: AttributeError (the events have no defaults for them) and its event is parked,
#: visibly, never given a wrong value; a test runs every view over a whole synthetic log
#: and finds nothing parked.
UNREAD_METADATA = frozenset({"event_id", "correlation_id", "causation_id", "timestamp"})


@dataclass(frozen=True)
class View:
    """A read model.

    Attributes:
        name: The view's name (``decisions``); also its tracking key.
        tables: Its tables; the first is its main table.
        handlers: Event topic -> handler.
        revision: Raised by hand when a handler writes different rows for the same
            events while the tables and topics stay as they were; with them it makes
            the view's `definition`.
    """

    name: str
    tables: tuple[Table, ...]
    handlers: dict[str, Handler]
    revision: int = 1

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self.handlers)

    @property
    def definition(self) -> str:
        """A fingerprint of the rows this view holds: its tables, topics and revision.

        Each generation records the definition it was built with; a live generation
        built with another one is built again from the start (`schema.ensure_schema`).
        """
        parts = [self.name, str(self.revision), *sorted(self.topics)]
        for table in self.tables:
            parts.extend(table.create_statements(0))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def bound_tables(self, generation: int) -> dict[str, tuple[Table, str]]:
        """Logical name -> (definition, physical table) at `generation`."""
        return {table.name: (table, table.physical(generation)) for table in self.tables}
