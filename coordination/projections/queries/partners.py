"""Queries over the partner registry: the parties of the agreement, the admitted partners
and their keys (log keys and witness keys apart), and the key of a partner valid at a
given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coordination.persistence.readdb import ReadDatabase, Row
from coordination.projections.pagination import Query
from coordination.projections.tables import to_moment


@dataclass(frozen=True)
class PartnerKeyView:
    """One key of a partner: valid from `valid_from` until it was rotated out or revoked."""

    origin: str
    key_id: str
    vkey: str
    valid_from: datetime
    rotated_at: datetime | None
    revoked_from: datetime | None
    revocation_reason: str | None

    @property
    def valid_until(self) -> datetime | None:
        ends = [end for end in (self.rotated_at, self.revoked_from) if end is not None]
        return min(ends) if ends else None

    def valid_at(self, at: datetime) -> bool:
        """Whether the key is valid at `at`."""
        until = self.valid_until
        return self.valid_from <= at and (until is None or at < until)


@dataclass(frozen=True)
class PartnerView:
    """A party of the cooperation agreement, and once admitted, the partner it is.

    Attributes:
        origin: Its log's origin.
        granted: What the agreement lets it see.
        agreement_version: The version of the agreement that names it so.
        admitted: Whether it is admitted as a partner (the rest is None until then).
        name: Its name.
        base_url: Where its node is reached.
        sees: What it was admitted to see (joint groups come on top).
        admitted_at: When it was admitted.
        keys: Its log keys (which sign its checkpoints and requests), oldest first.
        witness_keys: Its witness keys (which cosign this node's checkpoints), oldest first.
    """

    origin: str
    granted: tuple[str, ...]
    agreement_version: int
    admitted: bool
    name: str | None
    base_url: str | None
    sees: tuple[str, ...]
    admitted_at: datetime | None
    keys: tuple[PartnerKeyView, ...]
    witness_keys: tuple[PartnerKeyView, ...] = ()

    def key_valid_at(self, at: datetime) -> PartnerKeyView | None:
        """Its log key valid at `at`, if any (keys follow one another: at most one is)."""
        return next((key for key in self.keys if key.valid_at(at)), None)

    def witness_key_valid_at(self, at: datetime) -> PartnerKeyView | None:
        """Its witness key valid at `at`, if any."""
        return next((key for key in self.witness_keys if key.valid_at(at)), None)


_PARTIES = (
    "SELECT p.origin, p.granted, p.agreement_version, a.name, a.base_url, a.sees, a.admitted_at"
    " FROM rv_partner_parties p LEFT JOIN rv_partners a ON a.origin = p.origin"
)
_KEYS = "SELECT * FROM rv_partner_keys"
_WITNESS_KEYS = "SELECT * FROM rv_partner_witness_keys"


def _key(row: Row) -> PartnerKeyView:
    valid_from = to_moment(row["valid_from"])
    assert valid_from is not None
    return PartnerKeyView(
        origin=row["origin"],
        key_id=row["key_id"],
        vkey=row["vkey"],
        valid_from=valid_from,
        rotated_at=to_moment(row["rotated_at"]),
        revoked_from=to_moment(row["revoked_from"]),
        revocation_reason=row["revocation_reason"],
    )


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


async def _keys_by_origin(
    db: ReadDatabase, select: str, origin: str | None
) -> dict[str, list[PartnerKeyView]]:
    keys = Query(select)
    if origin is not None:
        keys.where("origin = {}", origin)
    rows = await db.fetch(keys.sql(" ORDER BY origin, valid_from, key_id"), *keys.args)
    by_origin: dict[str, list[PartnerKeyView]] = {}
    for row in rows:
        by_origin.setdefault(row["origin"], []).append(_key(row))
    return by_origin


async def list_partners(db: ReadDatabase, *, origin: str | None = None) -> list[PartnerView]:
    """The agreement's parties by origin, each with its keys (one party when `origin`).

    An agreement names a handful of partnerships, so this is one list, not a page.
    """
    parties = Query(_PARTIES)
    if origin is not None:
        parties.where("p.origin = {}", origin)
    party_rows = await db.fetch(parties.sql(" ORDER BY p.origin"), *parties.args)
    by_origin = await _keys_by_origin(db, _KEYS, origin)
    witness_by_origin = await _keys_by_origin(db, _WITNESS_KEYS, origin)
    return [
        PartnerView(
            origin=row["origin"],
            granted=_words(row["granted"]),
            agreement_version=int(row["agreement_version"]),
            admitted=row["name"] is not None,
            name=row["name"],
            base_url=row["base_url"],
            sees=_words(row["sees"]),
            admitted_at=to_moment(row["admitted_at"]),
            keys=tuple(by_origin.get(row["origin"], ())),
            witness_keys=tuple(witness_by_origin.get(row["origin"], ())),
        )
        for row in party_rows
    ]


async def admitted_partner(db: ReadDatabase, origin: str) -> PartnerView | None:
    """The admitted partner of that origin, or None (not a party, or not admitted)."""
    found = await list_partners(db, origin=origin)
    return found[0] if found and found[0].admitted else None
