"""The partner registry (B8): the agreement's parties and what each may see, the admitted
partners with their base URLs, and every key of each with the interval it is valid in,
so that "the key valid at the time" can be asked of the views (the feed asks it of
every signed request). Witness keys (which cosign this node's checkpoints) are kept in a
table of their own, so a query for log keys can never be answered with a witness's."""

from __future__ import annotations

from coordination.domain.cooperation import CooperationAgreement
from coordination.projections.changes import Writer
from coordination.projections.tables import ID, INT, MOMENT, TEXT, Table, moment, occurred, uid
from coordination.projections.view import View

PARTIES = Table(
    "partner_parties",
    {"agreement_id": ID, "origin": TEXT, "granted": TEXT, "agreement_version": INT},
    key=("agreement_id", "origin"),
)
PARTNERS = Table(
    "partners",
    {"origin": TEXT, "name": TEXT, "base_url": TEXT, "sees": TEXT, "admitted_at": MOMENT},
    key=("origin",),
)
_KEY_COLUMNS = {
    "origin": TEXT,
    "key_id": TEXT,
    "vkey": TEXT,
    "valid_from": MOMENT,
    "rotated_at": MOMENT,
    "revoked_from": MOMENT,
    "revocation_reason": TEXT,
}
KEYS = Table("partner_keys", _KEY_COLUMNS, key=("origin", "key_id"))
WITNESS_KEYS = Table("partner_witness_keys", _KEY_COLUMNS, key=("origin", "key_id"))
Registered = CooperationAgreement.PartnerKeyRegistered | (
    CooperationAgreement.PartnerWitnessKeyRegistered
)
Rotated = CooperationAgreement.PartnerKeyRotated | CooperationAgreement.PartnerWitnessKeyRotated
Revoked = CooperationAgreement.PartnerKeyRevoked | CooperationAgreement.PartnerWitnessKeyRevoked


def _parties(e: CooperationAgreement.Signed | CooperationAgreement.Amended, w: Writer) -> None:
    agreement = uid(e.originator_id)
    # Each version names every party again: one that is no longer named goes.
    w.delete("partner_parties", {"agreement_id": agreement})
    for origin, sees in e.parties.items():
        w.upsert(
            "partner_parties",
            {"agreement_id": agreement, "origin": origin},
            granted=" ".join(sees),
            agreement_version=e.version,
        )


def _admitted(e: CooperationAgreement.PartnerAdmitted, w: Writer) -> None:
    w.upsert(
        "partners",
        {"origin": e.partner_origin},
        name=e.name,
        base_url=e.base_url,
        sees=" ".join(e.sees),
        admitted_at=occurred(e),
    )


_WITNESS_EVENTS = (
    CooperationAgreement.PartnerWitnessKeyRegistered,
    CooperationAgreement.PartnerWitnessKeyRotated,
    CooperationAgreement.PartnerWitnessKeyRevoked,
)


def _table(e: Registered | Rotated | Revoked) -> str:
    return WITNESS_KEYS.name if isinstance(e, _WITNESS_EVENTS) else KEYS.name


def _registered(e: Registered, w: Writer) -> None:
    w.upsert(
        _table(e),
        {"origin": e.partner_origin, "key_id": e.key_id},
        vkey=e.vkey,
        valid_from=moment(e.valid_from),
    )


def _rotated(e: Rotated, w: Writer) -> None:
    table = _table(e)
    w.update(
        table, {"origin": e.partner_origin, "key_id": e.old_key_id}, rotated_at=moment(e.rotated_at)
    )
    w.upsert(
        table,
        {"origin": e.partner_origin, "key_id": e.key_id},
        vkey=e.vkey,
        valid_from=moment(e.rotated_at),
    )


def _revoked(e: Revoked, w: Writer) -> None:
    w.update(
        _table(e),
        {"origin": e.partner_origin, "key_id": e.key_id},
        revoked_from=moment(e.revoked_from),
        revocation_reason=e.reason,
    )


VIEW = View(
    name="partners",
    tables=(PARTNERS, PARTIES, KEYS, WITNESS_KEYS),
    handlers={
        CooperationAgreement.Signed.TOPIC: _parties,
        CooperationAgreement.Amended.TOPIC: _parties,
        CooperationAgreement.PartnerAdmitted.TOPIC: _admitted,
        CooperationAgreement.PartnerKeyRegistered.TOPIC: _registered,
        CooperationAgreement.PartnerKeyRotated.TOPIC: _rotated,
        CooperationAgreement.PartnerKeyRevoked.TOPIC: _revoked,
        CooperationAgreement.PartnerWitnessKeyRegistered.TOPIC: _registered,
        CooperationAgreement.PartnerWitnessKeyRotated.TOPIC: _rotated,
        CooperationAgreement.PartnerWitnessKeyRevoked.TOPIC: _revoked,
    },
)
