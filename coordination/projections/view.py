"""A view: its tables and one handler per event topic it reads.

Handlers are pure functions of the event (and its position): no clock, no randomness, no
reads. Whatever they need from another stream is either stored in the view's own tables
by that stream's events and joined at query time, or carried by the event itself. That
makes every view replay-deterministic and lets a batch write blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coordination.projections.changes import Writer
from coordination.projections.tables import Table

Handler = Callable[[Any, Writer], None]


@dataclass(frozen=True)
class View:
    """A read model.

    Attributes:
        name: The view's name (``decisions``); also its tracking key.
        tables: Its tables; the first is its main table.
        handlers: Event topic -> handler.
    """

    name: str
    tables: tuple[Table, ...]
    handlers: dict[str, Handler]

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self.handlers)

    def bound_tables(self, generation: int) -> dict[str, tuple[Table, str]]:
        """Logical name -> (definition, physical table) at `generation`."""
        return {table.name: (table, table.physical(generation)) for table in self.tables}
