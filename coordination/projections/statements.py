"""The SQL that writes a group of folded row steps: row by row, or as one set.

Every row of a group has the same shape (the same table, kind of step and columns), so
one statement serves them all: with ``executemany`` one row at a time (SQLite, in
process), or on PostgreSQL as one set-based statement over ``unnest`` of one array per
column, which costs the server one execution instead of one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from coordination.projections.tables import Table


def _array_type(column_type: str) -> str:
    return column_type.split(maxsplit=1)[0].lower() + "[]"


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

    def row_sql(self) -> str:
        return _row_sql(self)

    def bulk_sql(self) -> str:
        return _bulk_sql(self)

    def _sets(self, source: str) -> list[str]:
        sets = [f"{c} = {source}{c}" for c in self.values]
        return sets + [f"{c} = {self.table}.{c} + {source}{c}" for c in self.increments]


@lru_cache(maxsize=1024)
def _row_sql(shape: Shape) -> str:
    columns = [*shape.key, *shape.values, *shape.increments]
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
    columns = [*shape.key, *shape.values, *shape.increments]
    types = [_array_type(shape.definition.columns[c]) for c in columns]
    arrays = ", ".join(f"${n}::{t}" for n, t in enumerate(types, start=1))
    if shape.upsert:
        sets = shape._sets("excluded.")
        conflict = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
        return (
            f"INSERT INTO {shape.table} ({', '.join(columns)})"  # noqa: S608
            f" SELECT * FROM unnest({arrays})"
            f" ON CONFLICT ({', '.join(shape.key)}) {conflict}"
        )
    sets = shape._sets("u.")
    where = " AND ".join(f"{shape.table}.{c} = u.{c}" for c in shape.key)
    if not sets:
        return f"SELECT 1 FROM unnest({arrays}) AS u({', '.join(columns)})"  # noqa: S608
    return (
        f"UPDATE {shape.table} SET {', '.join(sets)}"  # noqa: S608
        f" FROM unnest({arrays}) AS u({', '.join(columns)}) WHERE {where}"
    )


def row_delete(table: str, definition: Table, width: int) -> str:
    """Delete the rows under one key prefix (arguments: the prefix)."""
    key = definition.key[:width]
    where = " AND ".join(f"{c} = ${n}" for n, c in enumerate(key, start=1))
    return f"DELETE FROM {table} WHERE {where}"  # noqa: S608


def bulk_delete(
    table: str, definition: Table, width: int, prefixes: Sequence[tuple[Any, ...]]
) -> tuple[Any, ...]:
    """One statement (and its array arguments) deleting the rows under many key prefixes."""
    key = definition.key[:width]
    types = [_array_type(definition.columns[c]) for c in key]
    arrays = ", ".join(f"${n}::{t}" for n, t in enumerate(types, start=1))
    sql = (
        f"DELETE FROM {table} WHERE ({', '.join(key)})"  # noqa: S608
        f" IN (SELECT * FROM unnest({arrays}))"
    )
    return (sql, *map(list, zip(*prefixes, strict=True)))
