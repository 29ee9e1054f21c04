"""The SQL that writes a group of folded row steps: row by row, or as one set.

Every row of a group has the same shape (the same table, kind of step and columns), so
one statement serves them all: with ``executemany`` one row at a time (SQLite, in
process), or on PostgreSQL as one set-based statement over the rows sent as ONE JSON
document (an array of rows, each an array of the key, value and increment columns).

Why JSON rather than one typed array per column: the driver checks every element of an
array parameter against abstract collection classes before encoding it, which cost more
of a catch-up's CPU than the handlers' own work; orjson writes a whole page's rows in one
call. The server reads each row's fields as text (``->>``) and casts them to the
column's type, so the values stored are the same as with typed parameters: the stored
values are only text, integers and NULL (see `tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from coordination.projections.tables import Table


def _field(number: int, column_type: str) -> str:
    """Field `number` of a JSON row ``r``, as the column's SQL type."""
    kind = column_type.split(maxsplit=1)[0].lower()
    text = f"r->>{number}"
    return text if kind == "text" else f"({text})::{kind}"


def _rows(fields: list[str]) -> str:
    """A SELECT of the JSON rows in parameter $1, one field per column."""
    return f"SELECT {', '.join(fields)} FROM jsonb_array_elements($1::jsonb) AS r"  # noqa: S608


@dataclass(frozen=True)
class Shape:
    """The shape shared by a group of steps."""

    table: str
    definition: Table
    upsert: bool
    values: tuple[str, ...]
    increments: tuple[str, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return self.definition.key

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of each row's arguments, in order: key, values, increments."""
        return (*self.key, *self.values, *self.increments)

    def row_sql(self) -> str:
        """One row (arguments: `columns`), for ``executemany``."""
        return _row_sql(self)

    def bulk_sql(self) -> str:
        """Every row at once (argument: a JSON array of rows, each its `columns`)."""
        return _bulk_sql(self)

    def _sets(self, source: str) -> list[str]:
        sets = [f"{c} = {source}{c}" for c in self.values]
        return sets + [f"{c} = {self.table}.{c} + {source}{c}" for c in self.increments]


@lru_cache(maxsize=1024)
def _row_sql(shape: Shape) -> str:
    columns = shape.columns
    where = " AND ".join(f"{c} = ${n}" for n, c in enumerate(shape.key, start=1))
    if shape.upsert:
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
        sets = shape._sets("excluded.")
        conflict = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
        return (
            f"INSERT INTO {shape.table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            f" ON CONFLICT ({', '.join(shape.key)}) {conflict}"
        )
    numbered = {c: f"${n}" for n, c in enumerate(columns, start=1)}
    sets = [f"{c} = {numbered[c]}" for c in shape.values]
    sets += [f"{c} = {c} + {numbered[c]}" for c in shape.increments]
    if not sets:
        return f"SELECT 1 FROM {shape.table} WHERE {where}"  # noqa: S608
    return f"UPDATE {shape.table} SET {', '.join(sets)} WHERE {where}"  # noqa: S608


@lru_cache(maxsize=1024)
def _bulk_sql(shape: Shape) -> str:
    columns = shape.columns
    rows = _rows([_field(n, shape.definition.columns[c]) for n, c in enumerate(columns)])
    if shape.upsert:
        sets = shape._sets("excluded.")
        conflict = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
        return (
            f"INSERT INTO {shape.table} ({', '.join(columns)}) {rows}"
            f" ON CONFLICT ({', '.join(shape.key)}) {conflict}"
        )
    sets = shape._sets("u.")
    if not sets:
        return "SELECT 1"  # an update of no column changes nothing
    where = " AND ".join(f"{shape.table}.{c} = u.{c}" for c in shape.key)
    return (
        f"UPDATE {shape.table} SET {', '.join(sets)}"  # noqa: S608
        f" FROM ({rows}) AS u({', '.join(columns)}) WHERE {where}"
    )


def row_delete(table: str, definition: Table, width: int) -> str:
    """Delete the rows under one key prefix (arguments: the prefix)."""
    key = definition.key[:width]
    where = " AND ".join(f"{c} = ${n}" for n, c in enumerate(key, start=1))
    return f"DELETE FROM {table} WHERE {where}"  # noqa: S608


@lru_cache(maxsize=1024)
def bulk_delete(table: str, definition: Table, width: int) -> str:
    """Delete the rows under many key prefixes (argument: a JSON array of prefixes)."""
    key = definition.key[:width]
    rows = _rows([_field(n, definition.columns[c]) for n, c in enumerate(key)])
    return f"DELETE FROM {table} WHERE ({', '.join(key)}) IN ({rows})"  # noqa: S608
