"""A partner's request signed in the second its key was registered: RFC 9421's `created`
is a whole second, so it names a moment before the registration, and is still accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coordination.audit.note import Signer
from coordination.federation.request_signing import signature_headers
from coordination.federation.signatures import (
    ReplayGuard,
    SignatureRefused,
    signature_input,
    verify_partner_request,
)
from coordination.projections.queries.partners import PartnerKeyView, PartnerView

ORIGIN = "b.example/coordination/log"
URL = "https://a.example/federation/v1/entries?start=0&limit=10"


def _partner(signer: Signer, registered: datetime) -> PartnerView:
    key = PartnerKeyView(
        ORIGIN, f"{signer.verifier.key_id:08x}", signer.verifier.vkey, registered, None, None, None
    )
    return PartnerView(
        ORIGIN, ("public",), 1, True, "B", "https://b.example", ("public",), registered, (key,)
    )


def _verify(signer: Signer, partner: PartnerView, created: datetime) -> None:
    headers = list(signature_headers("GET", URL, signer, created=created).items())
    verify_partner_request(
        method="GET",
        target_uri=URL,
        headers=headers,
        given=signature_input(headers),
        partner=partner,
        replays=ReplayGuard(),
        now=created,
    )


def test_a_request_signed_in_the_second_its_key_was_registered_is_accepted() -> None:
    signer = Signer.generate(ORIGIN)
    second = datetime.now(UTC).replace(microsecond=0)

    _verify(signer, _partner(signer, second + timedelta(milliseconds=700)), second)


def test_a_request_signed_the_second_before_its_key_was_registered_is_refused() -> None:
    signer = Signer.generate(ORIGIN)
    second = datetime.now(UTC).replace(microsecond=0)

    with pytest.raises(SignatureRefused, match="has no key valid at"):
        _verify(signer, _partner(signer, second + timedelta(seconds=1, milliseconds=700)), second)
