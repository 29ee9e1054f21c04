"""A batch folds many events' row steps and writes them in phases, in both databases."""

from __future__ import annotations

import uuid

from coordination.persistence.readdb import ReadDatabase
from coordination.projections.changes import Batch, Writer
from coordination.projections.tables import INT, TEXT, Table

NOTES = Table("batch_notes", {"note_id": TEXT, "text": TEXT, "stars": INT}, key=("note_id",))


def writer(position: int) -> Writer:
    return Writer(position, uuid.uuid4(), {"notes": (NOTES, NOTES.physical(1))})


async def test_an_upsert_after_an_update_of_the_same_row_is_written_in_a_second_phase(
    db: ReadDatabase,
) -> None:
    for statement in NOTES.create_statements(1):
        await db.execute(statement)
    batch = Batch({NOTES.physical(1): NOTES})
    first, second = writer(1), writer(2)
    first.update("notes", {"note_id": "a"}, text="updated before it existed")
    first.upsert("notes", {"note_id": "b"}, text="b", stars=1)
    second.upsert("notes", {"note_id": "a"}, text="created", stars=3)  # cannot fold
    second.update("notes", {"note_id": "b"}, increments={"stars": 1})  # folds
    batch.add(first.ops)
    assert batch.phases == 1
    batch.add(second.ops)
    assert batch.phases == 2

    async with db.transaction() as tx:
        await batch.flush(tx, bulk=db.is_postgres)

    rows = await db.fetch(f"SELECT note_id, text, stars FROM {NOTES.physical(1)} ORDER BY note_id")
    assert rows == [
        {"note_id": "a", "text": "created", "stars": 3},
        {"note_id": "b", "text": "b", "stars": 2},
    ]
