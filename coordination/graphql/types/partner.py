"""The `Partner` and `PartnerKey` types: the cooperation agreement's parties, the partners
admitted among them, and their keys with the interval each is valid in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from coordination.projections.queries import partners as views


@strawberry.type(
    description="A key of a partner node: valid from `validFrom` until `validUntil` (it was"
    " rotated out or revoked), or still in force when that is null."
)
class PartnerKey:
    key_id: str = strawberry.field(description="The key id, 8 hexadecimal digits.")
    vkey: str = strawberry.field(description="The verifier key line (C2SP signed-note vkey).")
    valid_from: datetime
    valid_until: datetime | None
    rotated_at: datetime | None = strawberry.field(description="When a new key replaced it.")
    revoked_from: datetime | None = strawberry.field(
        description="From when it is no longer trusted."
    )
    revocation_reason: str | None

    @classmethod
    def from_row(cls, row: views.PartnerKeyView) -> PartnerKey:
        return cls(
            key_id=row.key_id,
            vkey=row.vkey,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            rotated_at=row.rotated_at,
            revoked_from=row.revoked_from,
            revocation_reason=row.revocation_reason,
        )


@strawberry.type(
    description="A partner partnership of the cooperation agreement, by its node's log origin;"
    " once admitted, with where its node is reached and its keys."
)
class Partner:
    origin: str = strawberry.field(description="Its log's origin, e.g. `it.example/log`.")
    granted: list[str] = strawberry.field(
        description="What the agreement lets it see of this node's log (audiences)."
    )
    agreement_version: int
    admitted: bool
    name: str | None
    base_url: str | None
    sees: list[str] = strawberry.field(
        description="What it was admitted to see (the joint groups it belongs to come on top)."
    )
    admitted_at: datetime | None
    keys: list[PartnerKey] = strawberry.field(
        description="Its log keys (vkey type 0x01: they sign its checkpoints and requests),"
        " oldest first."
    )
    witness_keys: list[PartnerKey] = strawberry.field(
        description="Its witness keys (vkey type 0x04: they cosign this node's checkpoints),"
        " oldest first."
    )
    row: strawberry.Private[views.PartnerView]

    @strawberry.field(description="Its log key valid at a moment, if any.")
    def key_valid_at(self, at: datetime) -> PartnerKey | None:
        found = self.row.key_valid_at(at)
        return PartnerKey.from_row(found) if found is not None else None

    @strawberry.field(description="Its witness key valid at a moment, if any.")
    def witness_key_valid_at(self, at: datetime) -> PartnerKey | None:
        found = self.row.witness_key_valid_at(at)
        return PartnerKey.from_row(found) if found is not None else None

    @classmethod
    def from_row(cls, row: views.PartnerView) -> Partner:
        return cls(
            origin=row.origin,
            granted=list(row.granted),
            agreement_version=row.agreement_version,
            admitted=row.admitted,
            name=row.name,
            base_url=row.base_url,
            sees=list(row.sees),
            admitted_at=row.admitted_at,
            keys=[PartnerKey.from_row(key) for key in row.keys],
            witness_keys=[PartnerKey.from_row(key) for key in row.witness_keys],
            row=row,
        )
