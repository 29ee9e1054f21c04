"""What handlers write, and how a batch of it reaches the database in few statements.

A handler never talks to the database: it records row operations on a `Writer` (set
some columns of a row, creating it if missing; set columns of an existing row; add to
counters; delete the rows under a key prefix). A `Batch` folds the operations of many
events together, row by row, exactly as running them one after another would, and then
writes each kind of statement once with ``executemany``. That is what lets catch-up run
thousands of events per transaction at the cost of a few dozen round trips.

Folding rules (per row, in event order): an update or upsert after an upsert merges into
it (the row exists from then on); an update after an update merges; an upsert after an
update cannot be folded (the update may have found no row) and is kept as a second step,
run in a later phase. Sets replace pending increments; increments add to pending sets.
A prefix delete drops the pending steps of the rows it covers and runs before all steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from coordination.persistence.readdb import Handle
from coordination.projections.statements import Shape, bulk_delete, row_delete
from coordination.projections.tables import Table

Key = tuple[Any, ...]


@dataclass
class Step:
    """One pending statement on one row."""

    upsert: bool
    values: dict[str, Any]
    increments: dict[str, int]

    def fold(self, later: Step) -> None:
        for column, value in later.values.items():
            self.values[column] = value
            self.increments.pop(column, None)
        for column, delta in later.increments.items():
            if column in self.values:
                self.values[column] += delta
            else:
                self.increments[column] = self.increments.get(column, 0) + delta
        self.upsert = self.upsert or later.upsert


@dataclass
class Op:
    table: str
    key: Key
    step: Step | None = None  # None: delete the rows whose key starts with `key`


@dataclass
class Writer:
    """Collects the row operations of one event for one view.

    Attributes:
        position: The event's notification id.
        stream_id: The event's stream.
        tables: The view's tables by logical name, at the generation being written.
    """

    position: int
    stream_id: UUID
    tables: dict[str, tuple[Table, str]]
    ops: list[Op] = field(default_factory=list)

    def _key(self, table: str, key: dict[str, Any]) -> tuple[str, Key]:
        definition, physical = self.tables[table]
        if tuple(key) != definition.key[: len(key)]:
            raise ValueError(f"{table} is keyed by {definition.key}, not {tuple(key)}")
        return physical, tuple(key.values())

    def upsert(
        self,
        table: str,
        key: dict[str, Any],
        increments: dict[str, int] | None = None,
        **values: Any,
    ) -> None:
        """Create the row with `values` (and counters at `increments`) or set them on it."""
        physical, row = self._key(table, key)
        self.ops.append(Op(physical, row, Step(True, values, dict(increments or {}))))

    def update(
        self,
        table: str,
        key: dict[str, Any],
        increments: dict[str, int] | None = None,
        **values: Any,
    ) -> None:
        """Set `values` and add `increments` on the row, if it exists."""
        physical, row = self._key(table, key)
        self.ops.append(Op(physical, row, Step(False, values, dict(increments or {}))))

    def delete(self, table: str, key_prefix: dict[str, Any]) -> None:
        """Delete every row whose leading key columns equal `key_prefix`."""
        physical, prefix = self._key(table, key_prefix)
        self.ops.append(Op(physical, prefix))


class Batch:
    """The folded operations of many events, written in one go by `flush`."""

    def __init__(self, definitions: dict[str, Table]) -> None:
        self.definitions = definitions  # physical table name -> its definition
        self.rows: dict[str, dict[Key, list[Step]]] = {}
        self.deletes: dict[tuple[str, int], list[Key]] = {}
        self.size = 0

    def add(self, ops: list[Op]) -> None:
        for op in ops:
            self.size += 1
            rows = self.rows.setdefault(op.table, {})
            if op.step is None:
                self._delete(op.table, op.key, rows)
                continue
            steps = rows.get(op.key)
            if steps is None:
                rows[op.key] = [op.step]
            elif op.step.upsert and not steps[-1].upsert:
                steps.append(op.step)
            else:
                steps[-1].fold(op.step)

    def _delete(self, table: str, prefix: Key, rows: dict[Key, list[Step]]) -> None:
        width = len(prefix)
        for key in [k for k in rows if k[:width] == prefix]:
            del rows[key]
        self.deletes.setdefault((table, width), []).append(prefix)

    async def flush(self, db: Handle, *, bulk: bool) -> None:
        """Write everything: prefix deletes first, then each phase of row steps.

        Args:
            db: The transaction to write in.
            bulk: Send each group of rows as arrays in one set-based statement
                (PostgreSQL); otherwise one row at a time with ``executemany`` (SQLite,
                where statements run in-process and cost no round trip).
        """
        for (table, width), prefixes in self.deletes.items():
            definition = self.definitions[table]
            if bulk:
                await db.execute(*bulk_delete(table, definition, width, prefixes))
            else:
                await db.executemany(row_delete(table, definition, width), prefixes)
        phase = 0
        while True:
            groups: dict[tuple[str, bool, tuple[str, ...], tuple[str, ...]], list[list[Any]]] = {}
            for table, rows in self.rows.items():
                for key, steps in rows.items():
                    if len(steps) <= phase:
                        continue
                    step = steps[phase]
                    values, increments = tuple(sorted(step.values)), tuple(sorted(step.increments))
                    args = [*key, *(step.values[c] for c in values)]
                    args += [step.increments[c] for c in increments]
                    groups.setdefault((table, step.upsert, values, increments), []).append(args)
            if not groups:
                return
            for (table, upsert, values, increments), rows_args in groups.items():
                shape = Shape(table, self.definitions[table], upsert, values, increments)
                if bulk:
                    await db.execute(shape.bulk_sql(), *map(list, zip(*rows_args, strict=True)))
                else:
                    await db.executemany(shape.row_sql(), rows_args)
            phase += 1
