"""What `/ready` answers: the event store answers and is migrated
(`coordination.bootstrap.store_readiness`), and this process's views have caught up with
the log as it stood when they started.

A load balancer sends requests to a ready node. A node whose views are still being built
(a new node, or the first start after an upgrade that changed a view: decision 16)
answers queries with what it has built so far, so it is not ready until the views have
once reached the log's head as it was at start; after that it stays ready while it
follows the log, however far a burst of writes puts it behind for a moment.

A node whose integrity alarm is raised is not ready either, whatever else holds: what it
serves may not be what it signed (decision 35). Its answer names the first finding.
"""

from __future__ import annotations

from typing import Any, Protocol

from coordination.audit.integrity import IntegrityAlarm


class Follower(Protocol):
    """What readiness needs of a projector: how far its views have come."""

    @property
    def position(self) -> int: ...


#: What a process whose store was migrated after it started answers: it serves /health
#: and /ready only, and starts its views, GraphQL and the log at its next start.
NOT_STARTED = {
    "status": "unavailable",
    "detail": "the event store was migrated after this process started: restart it to"
    " serve the views, GraphQL and the log",
}


class ViewsReadiness:
    """Whether the views have once caught up with the log's head at their start.

    Args:
        runner: The process's projector.
        head: The log's head when the views started.
    """

    def __init__(self, runner: Follower, head: int) -> None:
        self.runner, self.head = runner, head
        self._caught_up = False

    def pending(self) -> dict[str, Any] | None:
        """None once caught up; until then, what `/ready` says instead."""
        if not self._caught_up:
            position = self.runner.position
            if position < self.head:
                return {
                    "status": "catching_up",
                    "detail": f"the views are being built from the log: at position"
                    f" {position} of {self.head}",
                    "views_position": position,
                    "head_at_start": self.head,
                }
            self._caught_up = True
        return None


def integrity_pending(alarm: IntegrityAlarm) -> dict[str, Any] | None:
    """None while the integrity alarm is down; else what `/ready` says instead (a
    ``stat`` of the alarm's file, and a read when it changed)."""
    state = alarm.current()
    if state.ok:
        return None
    first = state.findings[0] if state.findings else None
    return {
        "status": "integrity_alarm",
        "detail": "the node found what it stores to disagree with what it signed"
        f" ({first.describe() if first else 'no finding named'}); it signs nothing until"
        " an operator resolves it: `coordination integrity status`",
        "since": state.to_json()["since"],
        "finding": first.to_json() if first else None,
        "findings": len(state.findings),
    }
