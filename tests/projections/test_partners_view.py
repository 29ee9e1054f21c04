"""The partner registry's view: parties, partners and their keys with the interval each is
valid in, as the feed asks it ("the key valid at the time"), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coordination.audit.note import Signer
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries.partners import admitted_partner, list_partners
from coordination.projections.runner import ProjectionRunner
from tests.projections.conftest import ORIGIN, settle

IT, GR = "it.example/coordination/log", "gr.example/coordination/log"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def secretariat(at: datetime) -> Context:
    return Context(actor="secretariat", origin=ORIGIN, occurred_at=at)


async def test_parties_partners_and_the_key_valid_at_the_time(
    system: System, db: ReadDatabase, runner: ProjectionRunner
) -> None:
    app = system.app
    both = ["public", "transnational"]
    app.sign_cooperation_agreement(
        secretariat(T0), title="A", document_hash="a" * 64, parties=[(IT, both), (GR, ["public"])]
    )
    app.admit_partner(
        secretariat(T0), origin=IT, name="Italy", base_url="https://it.example", sees=both
    )
    first, second = Signer.generate(IT).verifier, Signer.generate(IT).verifier
    app.register_partner_key(secretariat(T0), origin=IT, vkey=first.vkey)
    rotated = T0 + timedelta(days=10)
    app.rotate_partner_key(secretariat(rotated), origin=IT, vkey=second.vkey)
    revoked = T0 + timedelta(days=20)
    app.revoke_partner_key(
        secretariat(revoked + timedelta(hours=1)),
        origin=IT,
        key_id=f"{second.key_id:08x}",
        reason="stolen",
        revoked_from=revoked,
    )
    await settle(runner, app)

    gr, it = await list_partners(db)
    assert (gr.origin, gr.granted, gr.admitted, gr.keys) == (GR, ("public",), False, ())
    assert await admitted_partner(db, GR) is None
    assert (it.name, it.base_url, it.sees) == ("Italy", "https://it.example", tuple(both))
    assert [k.vkey for k in it.keys] == [first.vkey, second.vkey]
    old = it.key_valid_at(rotated - timedelta(microseconds=1))
    assert old is not None
    assert old.vkey == first.vkey
    new = it.key_valid_at(rotated)
    assert new is not None
    assert new.vkey == second.vkey
    assert it.key_valid_at(revoked) is None
    assert it.key_valid_at(T0 - timedelta(seconds=1)) is None
    assert it.keys[1].revocation_reason == "stolen"

    # A new version of the agreement names its parties again: Greece is no longer one.
    app.amend_cooperation_agreement(
        secretariat(revoked), summary="s", document_hash="b" * 64, parties=[(IT, both)]
    )
    await settle(runner, app)
    assert [p.origin for p in await list_partners(db)] == [IT]
    assert [p.agreement_version for p in await list_partners(db)] == [2]


async def test_witness_keys_apart_from_log_keys(
    system: System, db: ReadDatabase, runner: ProjectionRunner
) -> None:
    from coordination.audit.cosignature import Cosigner

    app, both = system.app, ["public", "transnational"]
    app.sign_cooperation_agreement(
        secretariat(T0), title="A", document_hash="a" * 64, parties=[(IT, both)]
    )
    app.admit_partner(
        secretariat(T0), origin=IT, name="Italy", base_url="https://it.example", sees=both
    )
    log_key = Signer.generate(IT).verifier
    first, second = Cosigner.generate(f"{IT}/witness"), Cosigner.generate(f"{IT}/witness")
    app.register_partner_key(secretariat(T0), origin=IT, vkey=log_key.vkey)
    app.register_partner_key(secretariat(T0), origin=IT, vkey=first.verifier.vkey)
    rotated = T0 + timedelta(days=1)
    app.rotate_partner_key(secretariat(rotated), origin=IT, vkey=second.verifier.vkey)
    await settle(runner, app)

    it = await admitted_partner(db, IT)
    assert it is not None
    assert [k.vkey for k in it.keys] == [log_key.vkey]
    assert [k.vkey for k in it.witness_keys] == [first.verifier.vkey, second.verifier.vkey]
    assert it.key_valid_at(rotated) is not None
    assert it.key_valid_at(rotated).vkey == log_key.vkey  # type: ignore[union-attr]
    before = it.witness_key_valid_at(rotated - timedelta(microseconds=1))
    assert before is not None
    assert before.vkey == first.verifier.vkey
    now = it.witness_key_valid_at(rotated)
    assert now is not None
    assert now.vkey == second.verifier.vkey
