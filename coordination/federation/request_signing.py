"""Signing a request to a partner's feed (FEED-PROTOCOL §5), as partner nodes do: RFC 9421
over ``@method`` and ``@target-uri``, with ``created``, a ``nonce`` (two identical
requests within a second would otherwise sign alike, and the second be refused as a
replay), ``keyid`` the signing node's origin and ``alg`` ed25519."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

from coordination.audit.note import Signer

from .signatures import COVERED


class _Seed(HTTPSignatureKeyResolver):
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self.key = key

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:  # noqa: ARG002
        return self.key

    def resolve_public_key(self, key_id: str) -> Any:
        raise NotImplementedError("signing only")


class _Request:
    def __init__(self, method: str, url: str) -> None:
        self.method, self.url = method.upper(), url
        self.headers: dict[str, str] = {}


def signature_headers(
    method: str, url: str, signer: Signer, *, created: datetime | None = None
) -> dict[str, str]:
    """The ``Signature-Input`` and ``Signature`` headers of a request to `url`.

    Args:
        method: The request's method.
        url: The partner's public base URL followed by the path and query, exactly as sent.
        signer: The signing node's key, named by its origin (the `keyid`).
        created: The signature's time; now when not given.
    """
    request = _Request(method, url)
    HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=_Seed(Ed25519PrivateKey.from_private_bytes(signer.seed)),
    ).sign(
        request,
        key_id=signer.name,
        created=created,
        nonce=secrets.token_urlsafe(12),
        covered_component_ids=COVERED,
    )
    return dict(request.headers)
