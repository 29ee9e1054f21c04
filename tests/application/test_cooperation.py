"""B8's partner registry: the agreement, partners and their keys, one test per rule, on
SQLite and PostgreSQL. One partner's key is the conformance vectors' (made by an
independent implementation of C2SP signed notes), so the vkey form is not only ours."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from coordination.application import Coordination
from coordination.audit.note import Signer
from coordination.domain.cooperation import AGREEMENT_ID, CooperationAgreement
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from tests.application.conftest import NOW, ORIGIN, secretariat
from tests.audit.conftest import BUNDLED_VECTORS

HASH_A, HASH_B = "a" * 64, "b" * 64
IT, GR = "it.example/coordination/log", "gr.example/coordination/log"
VECTORS = json.loads(BUNDLED_VECTORS.read_text(encoding="utf-8"))
#: The independent implementation's log, as a partner.
NL = VECTORS["origin"]
BOTH = ["public", "transnational"]


def sign(app: Coordination, *parties: str) -> None:
    app.sign_cooperation_agreement(
        secretariat(),
        title="Transnational cooperation agreement",
        document_hash=HASH_A,
        parties=[(party, BOTH) for party in parties or (IT, GR, NL)],
    )


def admit(app: Coordination, origin: str = IT, sees: list[str] = BOTH) -> None:
    url = f"https://{origin.split('/', maxsplit=1)[0]}/"
    app.admit_partner(secretariat(), origin=origin, name="Partner", base_url=url, sees=sees)


def agreement(app: Coordination) -> CooperationAgreement:
    return app.cooperation_agreement()


@pytest.fixture
def signed(app: Coordination) -> Coordination:
    sign(app)
    return app


def test_the_agreement_is_signed_once_with_its_parties(app: Coordination) -> None:
    with pytest.raises(NotFound, match="sign it first"):
        admit(app)
    sign(app)
    assert agreement(app).id == AGREEMENT_ID
    assert agreement(app).parties[IT] == ("public", "transnational")
    with pytest.raises(RuleViolation, match="already signed"):
        sign(app)


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        ([], "parties must name at least one"),
        ([("https://it.example/log", BOTH)], r"parties\[0\].origin is a schema-less URL"),
        ([("IT.example/log", BOTH)], r"parties\[0\].origin must be a lowercase host"),
        ([(ORIGIN, BOTH)], "this node's own origin"),
        ([(IT, BOTH), (IT, ["public"])], r"parties\[1\].origin names .* a second time"),
        ([(IT, ["partnership"])], r"parties\[0\].sees\[0\] may be only public, transnational"),
        ([(IT, ["restricted"])], "a partner never sees 'restricted'"),
    ],
)
def test_the_parties_are_origins_that_may_see_public_and_transnational_only(
    app: Coordination, parties: list[tuple[str, list[str]]], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        app.sign_cooperation_agreement(
            secretariat(), title="A", document_hash=HASH_A, parties=parties
        )


def test_public_is_always_seen(app: Coordination) -> None:
    app.sign_cooperation_agreement(
        secretariat(), title="A", document_hash=HASH_A, parties=[(IT, [])]
    )
    assert agreement(app).parties[IT] == ("public",)


def test_an_amendment_keeps_every_admitted_partner_with_no_less_to_see(
    signed: Coordination,
) -> None:
    admit(signed, IT)
    amend = signed.amend_cooperation_agreement
    with pytest.raises(RuleViolation, match="identical"):
        amend(secretariat(), summary="s", document_hash=HASH_A, parties=[(IT, BOTH)])
    with pytest.raises(RuleViolation, match="must keep it"):
        amend(secretariat(), summary="s", document_hash=HASH_B, parties=[(GR, BOTH)])
    with pytest.raises(RuleViolation, match="must not grant it less"):
        amend(secretariat(), summary="s", document_hash=HASH_B, parties=[(IT, ["public"])])
    amend(secretariat(), summary="Finland joins", document_hash=HASH_B, parties=[(IT, BOTH)])
    assert agreement(signed).agreement_version == 2
    assert set(agreement(signed).parties) == {IT}


def test_only_a_party_is_admitted_once_within_what_the_agreement_grants(
    app: Coordination,
) -> None:
    app.sign_cooperation_agreement(
        secretariat(), title="A", document_hash=HASH_A, parties=[(IT, BOTH), (GR, ["public"])]
    )
    with pytest.raises(RuleViolation, match="not a party"):
        admit(app, "fi.example/coordination/log")
    with pytest.raises(RuleViolation, match=r"lets .* see public only, not transnational"):
        admit(app, GR)
    admit(app, GR, ["public"])
    with pytest.raises(RuleViolation, match="already an admitted partner"):
        admit(app, GR, ["public"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "must not be empty"),
        ("ftp://it.example", "must be an absolute https"),
        ("it.example/feed", "must be an absolute https"),
        ("http://it.example", "must use https"),
        ("https://it.example/?a=1", "no query or fragment"),
        ("https://user:pw@it.example", "no user name or password"),
        ("https://it.example:99999", "is not a URL"),
    ],
)
def test_a_base_url_is_an_absolute_https_url(signed: Coordination, url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=f"base_url .*{message}"):
        signed.admit_partner(secretariat(), origin=IT, name="P", base_url=url, sees=BOTH)


def test_plain_http_is_for_the_own_machine(signed: Coordination) -> None:
    signed.admit_partner(
        secretariat(), origin=IT, name="P", base_url="http://127.0.0.1:8001/", sees=BOTH
    )
    assert agreement(signed).partners[IT].base_url == "http://127.0.0.1:8001"


def test_a_key_is_the_partners_own_named_by_its_origin_and_registered_once(
    signed: Coordination,
) -> None:
    it_key = Signer.generate(IT).verifier.vkey
    with pytest.raises(NotFound, match="not an admitted partner"):
        signed.register_partner_key(secretariat(), origin=IT, vkey=it_key)
    admit(signed, IT)
    admit(signed, NL)
    with pytest.raises(InvalidInput, match=r"vkey is named 'gr\.example"):
        signed.register_partner_key(
            secretariat(), origin=IT, vkey=Signer.generate(GR).verifier.vkey
        )
    name, _, key = it_key.split("+", 2)
    with pytest.raises(InvalidInput, match="vkey has the key id 00000000"):
        signed.register_partner_key(secretariat(), origin=IT, vkey=f"{name}+00000000+{key}")
    with pytest.raises(InvalidInput, match="vkey is not an Ed25519 key"):
        signed.register_partner_key(secretariat(), origin=IT, vkey=f"{IT}+00000000+AAAA")
    signed.register_partner_key(secretariat(), origin=IT, vkey=it_key)
    signed.register_partner_key(secretariat(), origin=NL, vkey=VECTORS["vkey"])
    assert agreement(signed).current_key(NL).key_id == VECTORS["vkey"].split("+")[1]  # type: ignore[union-attr]
    with pytest.raises(RuleViolation, match="in force: rotate it instead"):
        signed.register_partner_key(
            secretariat(), origin=IT, vkey=Signer.generate(IT).verifier.vkey
        )


def test_a_rotation_ends_the_old_key_where_the_new_one_starts(signed: Coordination) -> None:
    admit(signed, IT)
    first, second = Signer.generate(IT).verifier, Signer.generate(IT).verifier
    with pytest.raises(RuleViolation, match="no key in force to rotate"):
        signed.rotate_partner_key(secretariat(), origin=IT, vkey=first.vkey)
    signed.register_partner_key(secretariat(), origin=IT, vkey=first.vkey)
    later = NOW + timedelta(days=30)
    with pytest.raises(RuleViolation, match="already registered for"):
        signed.rotate_partner_key(secretariat(later), origin=IT, vkey=first.vkey)
    signed.rotate_partner_key(secretariat(later), origin=IT, vkey=second.vkey)
    found = agreement(signed)
    old = found.key_valid_at(IT, later - timedelta(seconds=1))
    new = found.key_valid_at(IT, later)
    assert old is not None
    assert old.key_id == f"{first.key_id:08x}"
    assert new is not None
    assert new.key_id == f"{second.key_id:08x}"
    assert found.key_valid_at(IT, NOW - timedelta(seconds=1)) is None


def test_a_revoked_key_is_valid_no_more_and_never_comes_back(signed: Coordination) -> None:
    admit(signed, IT)
    key = Signer.generate(IT).verifier
    signed.register_partner_key(secretariat(), origin=IT, vkey=key.vkey)
    key_id, later = f"{key.key_id:08x}", NOW + timedelta(hours=2)
    revoke = signed.revoke_partner_key
    with pytest.raises(NotFound, match="has no key 'ffffffff'"):
        revoke(secretariat(later), origin=IT, key_id="ffffffff", reason="lost")
    with pytest.raises(InvalidInput, match="revoked_from must not be in the future"):
        revoke(
            secretariat(later),
            origin=IT,
            key_id=key_id,
            reason="x",
            revoked_from=later + timedelta(seconds=1),
        )
    with pytest.raises(InvalidInput, match="revoked_from must not be before the key became valid"):
        revoke(
            secretariat(later),
            origin=IT,
            key_id=key_id,
            reason="x",
            revoked_from=NOW - timedelta(1),
        )
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        revoke(secretariat(later), origin=IT, key_id=key_id, reason=" ")
    # Found compromised an hour after it was registered: from then on it counts no more.
    revoke(
        secretariat(later),
        origin=IT,
        key_id=key_id,
        reason="stolen",
        revoked_from=NOW + timedelta(hours=1),
    )
    found = agreement(signed)
    assert found.key_valid_at(IT, NOW + timedelta(minutes=59)) is not None
    assert found.key_valid_at(IT, NOW + timedelta(hours=1)) is None
    with pytest.raises(RuleViolation, match="already revoked"):
        revoke(secretariat(later), origin=IT, key_id=key_id, reason="again")
    with pytest.raises(RuleViolation, match="already registered"):
        signed.register_partner_key(secretariat(later), origin=IT, vkey=key.vkey)
    # With none in force, a new key is registered rather than rotated in.
    signed.register_partner_key(
        secretariat(later), origin=IT, vkey=Signer.generate(IT).verifier.vkey
    )
    assert agreement(signed).current_key(IT) is not None


def test_a_witness_key_follows_its_own_succession_beside_the_log_key(
    signed: Coordination,
) -> None:
    from coordination.audit.cosignature import Cosigner

    admit(signed, IT)
    admit(signed, NL)
    log_key = Signer.generate(IT)
    witness, next_witness = Cosigner.generate(f"{IT}/witness"), Cosigner.generate(f"{IT}/w")
    signed.register_partner_key(secretariat(), origin=IT, vkey=log_key.verifier.vkey)
    # The vkey's type byte (0x04) makes it a witness key: no rotation of the log key.
    signed.register_partner_key(secretariat(), origin=IT, vkey=witness.verifier.vkey)
    found = agreement(signed)
    witness_id = f"{witness.verifier.key_id:08x}"
    assert found.current_key(IT).key_id == f"{log_key.verifier.key_id:08x}"  # type: ignore[union-attr]
    assert found.current_key(IT, witness=True).key_id == witness_id  # type: ignore[union-attr]
    with pytest.raises(RuleViolation, match=r"has the witness key \w+ in force: rotate it"):
        signed.register_partner_key(secretariat(), origin=IT, vkey=next_witness.verifier.vkey)
    # One public key, one signer: the same key under another name, or for another partner.
    renamed = Cosigner(f"{NL}/witness", witness.seed).verifier.vkey
    with pytest.raises(RuleViolation, match=f"public key is already registered for {IT}"):
        signed.register_partner_key(secretariat(), origin=NL, vkey=renamed)

    later = NOW + timedelta(days=3)
    signed.rotate_partner_key(secretariat(later), origin=IT, vkey=next_witness.verifier.vkey)
    signed.revoke_partner_key(
        secretariat(later), origin=IT, key_id=f"{next_witness.verifier.key_id:08x}", reason="lost"
    )
    found = agreement(signed)
    assert [k.key_id for k in found.witness_keys_of(IT)] == [
        witness_id,
        f"{next_witness.verifier.key_id:08x}",
    ]
    assert found.current_key(IT, witness=True) is None
    assert found.current_key(IT) is not None  # the log key is untouched
