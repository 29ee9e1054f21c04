"""What the feed's handlers read alike: whole-number query parameters, and the latest
signed checkpoint that bounds every answer."""

from __future__ import annotations

import re

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from coordination.audit.log import AuditLog
from coordination.audit.storage import StoredCheckpoint

from .problems import Problem

_DIGITS = re.compile(r"[0-9]{1,1000}")


def integer(request: Request, name: str, default: int | None = None) -> int:
    """A non-negative integer query parameter, or a 400 problem saying what is wrong.

    Args:
        request: The request.
        name: The parameter's name.
        default: Its value when not given; without one it is required.
    """
    given = request.query_params.getlist(name)
    if len(given) > 1:
        raise Problem(400, f"the query parameter {name!r} is given {len(given)} times, not once")
    raw = given[0] if given else None
    if raw is None:
        if default is None:
            raise Problem(400, f"the query parameter {name!r} is required")
        return default
    if not _DIGITS.fullmatch(raw):
        raise Problem(400, f"{name} must be a non-negative whole number, not {raw[:40]!r}")
    return int(raw)


async def latest(log: AuditLog) -> StoredCheckpoint:
    """The latest signed checkpoint, or a 503 problem before the first."""
    checkpoint = await run_in_threadpool(log.latest_checkpoint)
    if checkpoint is None:
        raise Problem(503, "the log has no signed checkpoint yet; try again shortly")
    return checkpoint


def within(size: int, checkpoint: StoredCheckpoint, what: str) -> None:
    """A 416 problem when ``size`` (named ``what``) lies beyond ``checkpoint``."""
    if size > checkpoint.size:
        raise Problem(
            416,
            f"{what} {size} is beyond the log: its latest checkpoint has {checkpoint.size} entries",
        )
