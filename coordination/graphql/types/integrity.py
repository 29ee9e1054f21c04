"""Types of the node's integrity alarm: its state, its findings, its last full pass."""

from __future__ import annotations

from datetime import datetime

import strawberry

from coordination.audit.integrity import Finding, FullPass, Integrity
from coordination.graphql.enums import IntegrityState


@strawberry.type(description="A mismatch the node found between what it stores and what it signed.")
class IntegrityFinding:
    check: str = strawberry.field(
        description="Which check found it: event, entry, sequence, leaf_hash, tree,"
        " checkpoint, stored_checkpoint or last_checkpoint (when about to sign), or"
        " state_file (the alarm's own file cannot be read)."
    )
    log_index: int | None = strawberry.field(
        description="The log index of the entry it concerns; null where none applies."
    )
    detail: str = strawberry.field(description="What differs (never an event's content).")
    found_at: datetime = strawberry.field(description="When it was found.")

    @classmethod
    def of(cls, finding: Finding) -> IntegrityFinding:
        return cls(
            check=finding.check,
            log_index=finding.index,
            detail=finding.detail,
            found_at=finding.found_at,
        )


@strawberry.type(description="A full pass of the node's self-audit over its log.")
class IntegrityPass:
    started_at: datetime
    finished_at: datetime
    entries: int = strawberry.field(description="How many entries it checked.")
    findings: int = strawberry.field(description="How many findings it made.")

    @classmethod
    def of(cls, done: FullPass) -> IntegrityPass:
        return cls(
            started_at=done.started_at,
            finished_at=done.finished_at,
            entries=done.entries,
            findings=done.findings,
        )


@strawberry.type(
    name="Integrity",
    description="The node's integrity alarm (decision 35): raised on the first mismatch its"
    " self-audit finds between the event store, the log's entries, its tree and its signed"
    " checkpoints; while it is raised the node signs nothing, until an operator resolves it.",
)
class IntegrityReport:
    state: IntegrityState
    since: datetime | None = strawberry.field(
        description="When the alarm was raised; null while it is down."
    )
    findings: list[IntegrityFinding] = strawberry.field(
        description="What was found, first first (at most 100)."
    )
    last_full_pass: IntegrityPass | None = strawberry.field(
        description="The self-audit's last full pass over the log; null before the first."
    )

    @classmethod
    def of(cls, state: Integrity) -> IntegrityReport:
        last = state.last_full_pass
        return cls(
            state=state.state,
            since=state.since,
            findings=[IntegrityFinding.of(f) for f in state.findings],
            last_full_pass=IntegrityPass.of(last) if last is not None else None,
        )
