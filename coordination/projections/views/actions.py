"""The action tracker (B2, B4 follow-ups): every action by owner, group, status, due date.

Whether an action is overdue depends on the day one asks, so it is computed at query
time from a given "today" and never stored. The working groups' themes are kept here,
so actions filter by theme without another view.
"""

from __future__ import annotations

from coordination.domain.action import Action
from coordination.domain.working_group import WorkingGroup
from coordination.projections.changes import Writer
from coordination.projections.tables import (
    DAY,
    ID,
    INT,
    MOMENT,
    POSITION,
    TEXT,
    Table,
    day,
    occurred,
    uid,
)
from coordination.projections.view import View

ACTIONS = Table(
    "actions",
    {
        "action_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "group_id": ID,
        "owner_id": ID,
        "description": TEXT,
        "due_on": DAY,
        "source_kind": TEXT,
        "source_id": ID,
        "status": TEXT,
        "progress": INT,
        "last_note": TEXT,
        "outcome": TEXT,
        "drop_reason": TEXT,
        "assigned_at": MOMENT,
        "closed_at": MOMENT,
    },
    key=("action_id",),
    indexes=(("due_on", "action_id"), ("owner_id", "due_on"), ("group_id", "due_on")),
)
GROUP_THEMES = Table(
    "action_groups",
    {"group_id": ID, "theme_id": ID},
    key=("group_id",),
)


def _assigned(e: Action.Assigned, w: Writer) -> None:
    w.upsert(
        "actions",
        {"action_id": uid(e.originator_id)},
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        group_id=uid(e.group_id),
        owner_id=uid(e.owner_id),
        description=e.description,
        due_on=day(e.due_on),
        source_kind=e.source_kind,
        source_id=uid(e.source_id),
        status="open",
        progress=0,
        assigned_at=occurred(e),
    )


def _progress(e: Action.ProgressReported, w: Writer) -> None:
    w.update("actions", {"action_id": uid(e.originator_id)}, progress=e.percent, last_note=e.note)


def _completed(e: Action.Completed, w: Writer) -> None:
    w.update(
        "actions",
        {"action_id": uid(e.originator_id)},
        status="completed",
        progress=100,
        outcome=e.outcome,
        closed_at=occurred(e),
    )


def _dropped(e: Action.Dropped, w: Writer) -> None:
    w.update(
        "actions",
        {"action_id": uid(e.originator_id)},
        status="dropped",
        drop_reason=e.reason,
        closed_at=occurred(e),
    )


def _group_convened(e: WorkingGroup.Convened, w: Writer) -> None:
    w.upsert("action_groups", {"group_id": uid(e.originator_id)}, theme_id=uid(e.theme_id))


VIEW = View(
    name="actions",
    tables=(ACTIONS, GROUP_THEMES),
    handlers={
        Action.Assigned.TOPIC: _assigned,
        Action.ProgressReported.TOPIC: _progress,
        Action.Completed.TOPIC: _completed,
        Action.Dropped.TOPIC: _dropped,
        WorkingGroup.Convened.TOPIC: _group_convened,
    },
)
