"""RFC 9421 HTTP message signatures of partner nodes' requests (FEED-PROTOCOL §5).

A partner signs each request with its node key (Ed25519), covering ``@method`` and
``@target-uri`` with the ``created`` time, ``keyid`` its origin. The node checks, in
order, with a reason for each refusal: one signature; its key id names an admitted
partner; it is at most `MAX_AGE_S` old and not from the future; the partner's key
valid at its `created` time (from the node's own log, `PartnerKeyView`) exists and is
not revoked by now; the signature verifies over the node's public base URL followed by
the path and query (`http-message-signatures` builds the signature base); and it was
not seen before (a replay). Identical requests within one second sign alike, so a
partner that sends two adds a ``nonce`` (our `request_signing` always does).
"""

from __future__ import annotations

import base64
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import http_sf
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from http_message_signatures import HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from coordination.projections.queries.partners import PartnerKeyView, PartnerView

#: The oldest signature accepted, and how far ahead of the node's clock one may be.
MAX_AGE_S = 300
CLOCK_SKEW_S = 5
#: The components a partner's signature must cover.
COVERED = ("@method", "@target-uri")
#: Told to a caller refused for its signature: what to sign (RFC 9421 §5.1).
ACCEPT_SIGNATURE = 'sig1=("@method" "@target-uri");created;keyid;alg="ed25519"'
#: Signatures remembered against replays; past it the oldest are forgotten first.
REPLAY_MEMORY = 200_000


class SignatureRefused(Exception):
    """The request's signature is refused; the message says why (for a 401)."""


@dataclass(frozen=True)
class SignatureInput:
    """What a request says of its one signature before anything is verified."""

    label: str
    key_id: str
    created: datetime


def signature_input(headers: Iterable[tuple[str, str]]) -> SignatureInput:
    """The signature's label, key id (the partner's origin) and creation time.

    Raises:
        SignatureRefused: Missing or malformed headers, more than one signature, a
            missing key id or time, another algorithm.
    """
    fields: dict[str, list[str]] = {}
    for name, value in headers:
        fields.setdefault(name.lower(), []).append(value)
    if "signature-input" not in fields or "signature" not in fields:
        raise SignatureRefused("a signed request carries both Signature-Input and Signature")
    try:
        parsed = http_sf.parse(
            ", ".join(fields["signature-input"]).encode("latin-1"), tltype="dictionary"
        )
    except (ValueError, UnicodeEncodeError) as error:
        raise SignatureRefused(f"Signature-Input is not a structured dictionary: {error}") from None
    if not isinstance(parsed, dict):
        raise SignatureRefused("Signature-Input is not a structured dictionary")
    if len(parsed) != 1:
        raise SignatureRefused(f"send one signature, not {len(parsed)}")
    label, member = next(iter(parsed.items()))
    params: dict[str, Any] = member[1] if isinstance(member, tuple) else {}
    key_id, created = params.get("keyid"), params.get("created")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureRefused("the signature has no keyid: it is the partner's origin")
    if type(created) is not int:
        raise SignatureRefused("the signature has no created time (RFC 9421 §2.3)")
    if params.get("alg", "ed25519") != "ed25519":
        raise SignatureRefused('partner signatures are Ed25519 (alg="ed25519")')
    try:
        moment = datetime.fromtimestamp(created, UTC)
    except (OverflowError, OSError, ValueError):
        raise SignatureRefused("the signature's created time is out of range") from None
    return SignatureInput(str(label), key_id, moment)


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key: Ed25519PublicKey) -> None:
        self.key = key

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey:  # noqa: ARG002
        return self.key

    def resolve_private_key(self, key_id: str) -> Any:
        raise NotImplementedError("verification only")


class _Headers:
    """The request's header lines as the library reads them (read only)."""

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self.lines = lines

    def items(self) -> list[tuple[str, str]]:
        return self.lines

    def __iter__(self) -> Any:
        return iter(dict.fromkeys(name for name, _ in self.lines))

    def __contains__(self, name: object) -> bool:
        return any(field.lower() == str(name).lower() for field, _ in self.lines)


@dataclass
class _Message:
    method: str
    url: str
    headers: _Headers


def public_key_of(key: PartnerKeyView) -> Ed25519PublicKey:
    """The Ed25519 public key of a registered vkey line (checked when it was registered)."""
    raw = base64.b64decode(key.vkey.split("+", 2)[2])
    return Ed25519PublicKey.from_public_bytes(raw[1:])


class ReplayGuard:
    """The signatures seen within their validity, so that none is accepted twice.

    Per process: a replay sent to another worker of the same node is not caught by this
    one (decision 43 says why that is accepted)."""

    def __init__(self, capacity: int = REPLAY_MEMORY) -> None:
        self._seen: OrderedDict[bytes, float] = OrderedDict()
        self._capacity, self._lock = capacity, threading.Lock()

    def first_use(self, signature: bytes, until: float, now: float) -> bool:
        """Record `signature` as used until `until`; False when it was used before."""
        with self._lock:
            while self._seen and (
                next(iter(self._seen.values())) <= now or len(self._seen) >= self._capacity
            ):
                self._seen.popitem(last=False)
            if signature in self._seen:
                return False
            self._seen[signature] = until
            return True


def verify_partner_request(
    *,
    method: str,
    target_uri: str,
    headers: list[tuple[str, str]],
    given: SignatureInput,
    partner: PartnerView | None,
    replays: ReplayGuard,
    now: datetime | None = None,
) -> PartnerKeyView:
    """The partner's key that signed the request, or why it is refused.

    Args:
        method: The request's method.
        target_uri: The node's public base URL followed by the request's path and query.
        headers: The request's header lines.
        given: What `signature_input` read of the signature.
        partner: The admitted partner that `given.key_id` names, if any.
        replays: The signatures already accepted.
        now: The node's clock (tests).

    Raises:
        SignatureRefused: Saying why.
    """
    now = now or datetime.now(UTC)
    if partner is None:
        raise SignatureRefused(f"{given.key_id[:200]} is not an admitted partner of this node")
    if given.created > now + timedelta(seconds=CLOCK_SKEW_S):
        raise SignatureRefused("the signature's created time is in the future: check the clock")
    if given.created < now - timedelta(seconds=MAX_AGE_S):
        raise SignatureRefused(f"the signature is older than {MAX_AGE_S} s: sign each request anew")
    key = _key_of_second(partner, given.created)
    if key is None:
        raise SignatureRefused(
            f"{partner.origin} has no key valid at {given.created.isoformat()} in this node's log"
        )
    if key.revoked_from is not None and key.revoked_from <= now:
        raise SignatureRefused(f"the key {key.key_id} of {partner.origin} is revoked")
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(public_key_of(key))
    )
    verifier.max_clock_skew = timedelta(seconds=CLOCK_SKEW_S)
    message = _Message(method.upper(), target_uri, _Headers(headers))
    try:
        verifier.verify(message, max_age=timedelta(seconds=MAX_AGE_S), require_components=COVERED)
    except HTTPMessageSignaturesException as error:
        raise SignatureRefused(f"the signature does not verify: {str(error)[:200]}") from None
    signed = "".join(value for name, value in headers if name.lower() == "signature")
    until = time.monotonic() + MAX_AGE_S + 2 * CLOCK_SKEW_S
    if not replays.first_use(signed.encode("latin-1"), until, time.monotonic()):
        raise SignatureRefused("this signature was used before: sign each request anew")
    return key


def _key_of_second(partner: PartnerView, created: datetime) -> PartnerKeyView | None:
    """The partner's key valid at `created`, or later in the same second.

    RFC 9421's `created` is a whole second, the moment a key is registered is not: a
    request signed in the second its key was registered names a moment before it.
    """
    return partner.key_valid_at(created) or partner.key_valid_at(
        created + timedelta(seconds=1) - timedelta(microseconds=1)
    )
