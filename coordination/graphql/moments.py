"""Moments given in queries: refused without a time zone, as the domain refuses them."""

from __future__ import annotations

from datetime import datetime

from coordination.graphql.errors import bad_input


def aware(value: datetime | None, argument: str) -> datetime | None:
    """`value` unchanged when it carries a time zone (None stays None).

    Raises:
        RequestError: BAD_USER_INPUT for a date and time without a time zone, whose
            instant would be a guess.
    """
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise bad_input(f"{argument} must include a time zone, e.g. 2026-03-01T09:00:00Z", argument)
    return value
