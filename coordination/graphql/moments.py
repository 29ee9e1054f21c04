"""Moments given in queries: refused as the domain refuses them in commands (without a
time zone, or outside what can be written in UTC, as the views compare them)."""

from __future__ import annotations

from datetime import datetime

from coordination.domain.errors import InvalidInput
from coordination.domain.values import in_utc
from coordination.graphql.errors import bad_input


def aware(value: datetime | None, argument: str) -> datetime | None:
    """`value` unchanged when it carries a time zone (None stays None).

    Raises:
        RequestError: BAD_USER_INPUT for a date and time without a time zone, whose
            instant would be a guess, or one that lies outside the years 1 to 9999 in
            UTC (0001-01-01T00:00:00+01:00, say).
    """
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise bad_input(f"{argument} must include a time zone, e.g. 2026-03-01T09:00:00Z", argument)
    try:
        in_utc(value, argument)
    except InvalidInput as error:
        raise bad_input(str(error), argument) from None
    return value
