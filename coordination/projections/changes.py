"""What handlers write, and how a batch of it reaches the database in few statements.

A handler never talks to the database: it records row operations on a `Writer` (set
some columns of a row, creating it if missing; set columns of an existing row; add to
counters; delete the rows under a key prefix). A `Batch` folds the operations of many
events together, row by row, exactly as running them one after another would, and then
writes each shape of statement once (see `statements`). That is what lets catch-up run
thousands of events per transaction at the cost of a few dozen round trips.

Folding rules (per row, in event order): an update or upsert after an upsert merges into
it (the row exists from then on); an update after an update merges; an upsert after an
update cannot be folded (the update may have found no row) and is kept as a second step,
run in a later phase. Sets replace pending increments; increments add to pending sets.
A prefix delete drops the pending steps of the rows it covers and runs before all steps.

Values are what the view tables store: text, integers (booleans through
`tables.flag`) and None.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson

from coordination.persistence.readdb import Handle
from coordination.projections.statements import Shape, bulk_delete, row_delete
from coordination.projections.tables import Table

Key = tuple[Any, ...]

# Key column lists already found to lead a table's key: handlers name the same few again
# and again, and the check runs for every row an event touches.
_checked: dict[Table, set[tuple[str, ...]]] = {}


class Step:
    """One pending statement on one row."""

    __slots__ = ("increments", "upsert", "values")

    def __init__(self, upsert: bool, values: dict[str, Any], increments: dict[str, int]):
        self.upsert, self.values, self.increments = upsert, values, increments

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


#: One recorded operation: physical table, key, and the step on that row; a step of
#: None deletes every row whose key starts with the key given.
Op = tuple[str, Key, Step | None]


class Writer:
    """Collects the row operations of one event for one view.

    Attributes:
        position: The event's notification id.
        stream_id: The event's stream.
        tables: The view's tables by logical name, at the generation being written.
        ops: The operations recorded, in order.
    """

    __slots__ = ("ops", "position", "stream_id", "tables")

    def __init__(self, position: int, stream_id: UUID, tables: dict[str, tuple[Table, str]]):
        self.position, self.stream_id, self.tables = position, stream_id, tables
        self.ops: list[Op] = []

    def _key(self, table: str, key: dict[str, Any]) -> tuple[str, Key]:
        definition, physical = self.tables[table]
        columns = tuple(key)
        if columns not in _checked.get(definition, ()):
            _check(table, definition, columns)
        return physical, tuple(key.values())

    def upsert(
        self,
        table: str,
        key: dict[str, Any],
        increments: dict[str, int] | None = None,
        **values: Any,
    ) -> None:
        """Create the row with `values` (and counters at `increments`) or set them on it."""
        # `_key` written out: this runs for nearly every row of a catch-up.
        definition, physical = self.tables[table]
        columns = tuple(key)
        if columns not in _checked.get(definition, ()):
            _check(table, definition, columns)
        step = Step(True, values, {} if increments is None else dict(increments))
        self.ops.append((physical, tuple(key.values()), step))

    def update(
        self,
        table: str,
        key: dict[str, Any],
        increments: dict[str, int] | None = None,
        **values: Any,
    ) -> None:
        """Set `values` and add `increments` on the row, if it exists."""
        physical, row = self._key(table, key)
        step = Step(False, values, {} if increments is None else dict(increments))
        self.ops.append((physical, row, step))

    def delete(self, table: str, key_prefix: dict[str, Any]) -> None:
        """Delete every row whose leading key columns equal `key_prefix`."""
        physical, prefix = self._key(table, key_prefix)
        self.ops.append((physical, prefix, None))


def _check(table: str, definition: Table, columns: tuple[str, ...]) -> None:
    """Raise unless `columns` lead the table's key; remember them if they do."""
    if columns != definition.key[: len(columns)]:
        raise ValueError(f"{table} is keyed by {definition.key}, not {columns}")
    _checked.setdefault(definition, set()).add(columns)


#: A group of row steps of one shape: (table, upsert, value columns, increment columns).
GroupKey = tuple[str, bool, tuple[str, ...], tuple[str, ...]]


class Batch:
    """The folded operations of many events, written in one go by `flush`."""

    def __init__(self, definitions: dict[str, Table]) -> None:
        self.definitions = definitions  # physical table name -> its definition
        self.rows: dict[str, dict[Key, list[Step]]] = {}
        self.deletes: dict[tuple[str, int], list[Key]] = {}
        # How many phases the rows' steps need: 1 unless an upsert followed an update on
        # some row. Kept as steps arrive so that `flush` walks the rows once per phase
        # it has, not once more to find the next phase empty.
        self.phases = 1

    def add(self, ops: list[Op]) -> None:
        tables = self.rows
        for table, key, step in ops:
            rows = tables.get(table)
            if rows is None:
                rows = tables[table] = {}
            if step is None:
                self._delete(table, key, rows)
                continue
            steps = rows.get(key)
            if steps is None:
                rows[key] = [step]
            elif step.upsert and not steps[-1].upsert:
                steps.append(step)
                self.phases = max(self.phases, len(steps))
            else:
                steps[-1].fold(step)

    def _delete(self, table: str, prefix: Key, rows: dict[Key, list[Step]]) -> None:
        width = len(prefix)
        for key in [k for k in rows if k[:width] == prefix]:
            del rows[key]
        self.deletes.setdefault((table, width), []).append(prefix)

    def groups(self, phase: int) -> dict[GroupKey, list[list[Any]]]:
        """The row steps of `phase`, grouped by shape: each row's key, values, increments."""
        groups: dict[GroupKey, list[list[Any]]] = {}
        # Column lists in the order a step holds them -> sorted, so that steps folded in
        # a different order share their statement.
        ordered: dict[tuple[str, ...], tuple[str, ...]] = {}
        for table, rows in self.rows.items():
            for key, steps in rows.items():
                if len(steps) <= phase:
                    continue
                step = steps[phase]
                values, increments = step.values, step.increments
                names = tuple(values)
                columns = ordered.get(names)
                if columns is None:
                    columns = ordered[names] = tuple(sorted(names))
                args = [*key, *map(values.__getitem__, columns)]
                counters: tuple[str, ...] = ()
                if increments:
                    counters = tuple(sorted(increments))
                    args += map(increments.__getitem__, counters)
                group = (table, step.upsert, columns, counters)
                found = groups.get(group)
                if found is None:
                    groups[group] = [args]
                else:
                    found.append(args)
        return groups

    async def flush(self, db: Handle, *, bulk: bool) -> None:
        """Write everything: prefix deletes first, then each phase of row steps.

        Args:
            db: The transaction to write in.
            bulk: Send each group of rows in one set-based statement (PostgreSQL);
                otherwise one row at a time with ``executemany`` (SQLite, where
                statements run in-process and cost no round trip).
        """
        for (table, width), prefixes in self.deletes.items():
            definition = self.definitions[table]
            document = _document(prefixes) if bulk else None
            if document is not None:
                await db.execute(bulk_delete(table, definition, width), document)
            else:
                await db.executemany(
                    row_delete(table, definition, width),
                    without_nul(prefixes) if bulk else prefixes,
                )
        for phase in range(self.phases):
            for (table, upsert, values, increments), rows_args in self.groups(phase).items():
                if not (upsert or values or increments):
                    continue  # an update that sets nothing
                shape = Shape(table, self.definitions[table], upsert, values, increments)
                document = _document(rows_args) if bulk else None
                if document is not None:
                    await db.execute(shape.bulk_sql(), document)
                else:  # bulk: PostgreSQL, whose text holds no NUL
                    await db.executemany(
                        shape.row_sql(), without_nul(rows_args) if bulk else rows_args
                    )


# Anything but plain text, integers and None takes the row-by-row path, so the driver
# accepts or refuses it exactly as for a single row.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def _document(rows: list[Any]) -> str | None:
    """Rows as one JSON array for a set-based statement; None if they are not plain."""
    try:
        document = orjson.dumps(rows, option=_STRICT).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    if "\\u0000" in document:  # rare: one scan of the page's text, at C speed
        return orjson.dumps(without_nul(rows), option=_STRICT).decode()
    return document


def without_nul(rows: list[Any]) -> list[Any]:
    """`rows` with each NUL character in their text replaced by U+FFFD.

    PostgreSQL's text cannot hold NUL. The domain refuses it in what people write, but
    an event recorded before it did (or by another path) would otherwise fail its page's
    transaction every time, and with it every view: the projector would stop for good.
    SQLite keeps NUL as it is.
    """
    return [[v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row] for row in rows]
