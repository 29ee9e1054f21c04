"""View tables: their columns, keys and indexes, and where each generation of them lives.

Every view table exists in generations: ``rv_<table>__g<n>`` holds the rows, and the SQL
view ``rv_<table>`` points at the live generation. Queries read ``rv_<table>`` only, so a
rebuilt generation goes live by redefining the view in one transaction.

Values are stored portably: ids and dates as TEXT (ISO 8601, UTC times with microseconds,
so text order is time order), booleans and counters as INTEGER, positions as BIGINT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

#: Prefix of every read-view table and SQL view.
PREFIX = "rv_"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per table
class Table:
    """One table of a view.

    Attributes:
        name: Logical name, e.g. ``decisions``; the SQL view is ``rv_decisions``.
        columns: Column name -> SQL type (with NOT NULL DEFAULT for counters), in order.
        key: The primary key columns (the rows' identity; also their comparison order).
        indexes: Column lists to index, for the queries' filters and sort orders.
    """

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def view_name(self) -> str:
        return f"{PREFIX}{self.name}"

    def physical(self, generation: int) -> str:
        """The table holding generation `generation`."""
        return f"{PREFIX}{self.name}__g{generation}"

    def create_statements(self, generation: int, *, indexes: bool = True) -> list[str]:
        """The table of `generation`, with its secondary indexes unless `indexes` is False."""
        table = self.physical(generation)
        columns = ", ".join(f"{name} {kind}" for name, kind in self.columns.items())
        statements = [
            f"CREATE TABLE IF NOT EXISTS {table} ({columns}, PRIMARY KEY ({', '.join(self.key)}))"
        ]
        return statements + (self.index_statements(generation) if indexes else [])

    def index_statements(self, generation: int) -> list[str]:
        """The secondary indexes of `generation` (the queries' filters and sort orders)."""
        table = self.physical(generation)
        return [
            f"CREATE INDEX IF NOT EXISTS {table}_i{number} ON {table} ({', '.join(index)})"
            for number, index in enumerate(self.indexes)
        ]

    def drop_statement(self, generation: int) -> str:
        return f"DROP TABLE IF EXISTS {self.physical(generation)}"

    def point_view_statements(self, generation: int) -> list[str]:
        """Statements that make ``rv_<table>`` show `generation` (run inside a transaction)."""
        return [
            f"DROP VIEW IF EXISTS {self.view_name}",
            f"CREATE VIEW {self.view_name} AS SELECT * FROM {self.physical(generation)}",  # noqa: S608
        ]


# Column types, named for what they hold.
ID = "TEXT"
TEXT = "TEXT"
DAY = "TEXT"
MOMENT = "TEXT"
INT = "INTEGER"
POSITION = "BIGINT"
COUNTER = "INTEGER NOT NULL DEFAULT 0"
FLAG = "INTEGER NOT NULL DEFAULT 0"


def uid(value: UUID | None) -> str | None:
    """An id as stored: the canonical UUID text."""
    if type(value) is not UUID:
        return None if value is None else str(value)
    # The same ids recur all through a log; their text is kept by number (cheap to hash).
    number = value.int
    text = _texts.get(number)
    if text is None:
        if len(_texts) >= _TEXTS_MAX:
            _texts.clear()
        text = _texts[number] = str(value)
    return text


_TEXTS_MAX = 100_000
_texts: dict[int, str] = {}


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def moment(value: datetime | None) -> str | None:
    """A time as stored: UTC, microseconds, so that text order is time order."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def occurred(event: Any) -> str | None:
    """The business time of `event` (every event of the domain carries one)."""
    return moment(event.occurred_at)


def flag(value: bool) -> int:
    return 1 if value else 0


# Reading stored values back.


@lru_cache(maxsize=16_384)
def parse_uuid(text: str) -> UUID:
    """A view's id column (text) as a UUID.

    Cached because a page parses the same few ids again and again (an organisation's id
    on each of its positions, a decision's on each row about it): a working group's page
    made hundreds of UUIDs from text, a large part of its reads' CPU (docs/performance.md).
    UUIDs are immutable, so the readers can share them.
    """
    return UUID(text)


def to_uuid(value: Any) -> UUID | None:
    return None if value is None else parse_uuid(str(value))


def to_day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def to_moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))
