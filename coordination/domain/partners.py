"""The values of B8's partner registry: origins, base URLs, what a partner may see, and a
partner's keys with the interval each is valid in.

A partner is another partnership's node, named by its log's **origin** (a schema-less
URL, FEED-PROTOCOL §3). Its keys follow one another: a key is valid from its
registration until it is rotated out or revoked, so at any moment at most one key of a
partner is valid, and "the key valid at the time" has one answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from coordination.domain.errors import InvalidInput
from coordination.domain.values import Audience

ORIGIN_MAX = 200
BASE_URL_MAX = 500
#: host[:port] then path segments: lowercase, no scheme, no spaces, no '+' (a key name's).
_ORIGIN = re.compile(
    r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*"
)
#: Hosts a base URL may name over plain http: the node's own machine (development).
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
#: What a partner may be let see beyond joint groups (FEED-PROTOCOL §5).
PARTNER_AUDIENCES = frozenset({Audience.PUBLIC.value, Audience.TRANSNATIONAL.value})


def origin(value: str, field: str = "origin") -> str:
    """A log's origin, e.g. ``slup.se/coordination/log``.

    Raises:
        InvalidInput: Naming `field`: empty, too long, with a scheme, or not host and path.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("must not be empty", field=field)
    cleaned = value.strip()
    if len(cleaned) > ORIGIN_MAX:
        raise InvalidInput(
            f"is {len(cleaned)} characters long; the limit is {ORIGIN_MAX}", field=field
        )
    if "://" in cleaned:
        raise InvalidInput(
            "is a schema-less URL naming the log (slup.se/coordination/log), without http://",
            field=field,
        )
    if not _ORIGIN.fullmatch(cleaned):
        raise InvalidInput(
            "must be a lowercase host, optionally with a port, and path segments"
            " (slup.se/coordination/log)",
            field=field,
        )
    return cleaned


def base_url(value: str, field: str = "base_url") -> str:
    """Where a partner's node is reached: an absolute https URL without query or fragment
    (plain http only for the own machine), without a trailing slash.

    Raises:
        InvalidInput: Naming `field` and what is wrong.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("must not be empty", field=field)
    cleaned = value.strip().rstrip("/")
    if len(cleaned) > BASE_URL_MAX or not cleaned.isascii() or not cleaned.isprintable():
        raise InvalidInput(
            f"must be a printable ASCII URL of at most {BASE_URL_MAX} characters", field=field
        )
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError:
        raise InvalidInput("is not a URL", field=field) from None
    del port  # read only to have it checked
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise InvalidInput("must be an absolute https:// URL", field=field)
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise InvalidInput("must use https (plain http only for localhost)", field=field)
    if parts.query or parts.fragment or "?" in cleaned or "#" in cleaned:
        raise InvalidInput("must have no query or fragment", field=field)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("must hold no user name or password", field=field)
    if " " in cleaned:
        raise InvalidInput("must hold no spaces", field=field)
    return cleaned


def audiences(values: Iterable[str], field: str = "sees") -> tuple[str, ...]:
    """What a partner may see: `public` and `transnational` at most (joint groups come from
    the groups it belongs to), `public` always; sorted, once each.

    Raises:
        InvalidInput: An audience a partner may never see (the partnership's own,
            a working group's, restricted ones).
    """
    found = {Audience.PUBLIC.value}
    for index, value in enumerate(values):
        if value not in PARTNER_AUDIENCES:
            allowed = ", ".join(sorted(PARTNER_AUDIENCES))
            raise InvalidInput(
                f"may be only {allowed}: a partner never sees {str(value)[:40]!r}",
                field=f"{field}[{index}]",
            )
        found.add(value)
    return tuple(sorted(found))


@dataclass(frozen=True)
class Partner:
    """An admitted partner node."""

    name: str
    base_url: str
    sees: tuple[str, ...]
    admitted_at: datetime


@dataclass(frozen=True)
class PartnerKey:
    """One key of a partner and when it is valid: from `valid_from` until it was rotated
    out (`rotated_at`) or revoked from a moment (`revoked_from`), whichever is first."""

    key_id: str
    vkey: str
    valid_from: datetime
    rotated_at: datetime | None = None
    revoked_from: datetime | None = None

    @property
    def valid_until(self) -> datetime | None:
        ends = [end for end in (self.rotated_at, self.revoked_from) if end is not None]
        return min(ends) if ends else None

    @property
    def current(self) -> bool:
        """Whether this key is the partner's key now: neither rotated out nor revoked."""
        return self.rotated_at is None and self.revoked_from is None

    def valid_at(self, moment: datetime) -> bool:
        """Whether the key is valid at `moment`."""
        until = self.valid_until
        return self.valid_from <= moment and (until is None or moment < until)
