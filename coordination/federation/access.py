"""Who asks the feed, and whether they may (FEED-PROTOCOL §5): the `authorize` hook of
`feed_router` for every route but the public `/key` and `/checkpoint`.

- A request with ``Signature-Input``/``Signature`` is a partner's: its RFC 9421
  signature must verify with the partner's key valid at the time (`signatures`).
- A request with ``Authorization`` is an auditor's or admin's bearer token.
- Anything else is anonymous: let in to see public entries where the node allows
  anonymous callers, else 401.

Credentials that are sent and fail are refused (401), never read as anonymous. Each
caller then draws on its own rate limit (`rate_limits`): 429 with `Retry-After`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from coordination.auth.tokens import TokenVerifier
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.queries.partners import admitted_partner

from .callers import Caller, JointGroups, PartnerCaller, ReaderCaller, no_joint_groups, rate_key
from .problems import Problem
from .rate_limits import RateLimits
from .signatures import (
    ACCEPT_SIGNATURE,
    ReplayGuard,
    SignatureRefused,
    signature_input,
    verify_partner_request,
)

REALM = 'Bearer realm="coordination feed"'
_CHALLENGE = {"WWW-Authenticate": REALM, "Accept-Signature": ACCEPT_SIGNATURE}


@dataclass(eq=False)  # FastAPI keys its dependency cache by the hook: hashed by identity
class FeedAccess:
    """The feed's `authorize` hook: a FastAPI dependency returning the `Caller`.

    Attributes:
        tokens: The node's token verifier, from the request.
        partners: The read database holding the partner registry's view, from the
            request (None before the views have started: partners are then refused 503).
        limits: The per-caller rate limits.
        public_url: The node's public base URL (`Settings.public_url`); the URL the
            request arrived at when None.
        anonymous: Whether callers without credentials are let in (public entries only).
        joint_groups: The audiences of the joint groups a partner belongs to.
    """

    tokens: Callable[[Request], TokenVerifier]
    partners: Callable[[Request], ReadDatabase | None]
    limits: RateLimits
    public_url: str | None = None
    anonymous: bool = True
    joint_groups: JointGroups = no_joint_groups

    def __post_init__(self) -> None:
        self.replays = ReplayGuard()

    async def __call__(self, request: Request) -> Caller:
        headers = request.headers
        caller: Caller
        if "signature-input" in headers or "signature" in headers:
            caller = await self._partner(request)
        elif "authorization" in headers:
            caller = self._reader(request)
        elif self.anonymous:
            caller = None
        else:
            raise Problem(
                401,
                "the feed needs an auditor's or admin's token (`Authorization: Bearer <token>`)"
                " or a partner node's signature; this node serves no anonymous callers",
                _CHALLENGE,
            )
        client = request.client.host if request.client is not None else "unknown"
        wait = self.limits.take(rate_key(caller, client))
        if wait is not None:
            raise Problem(
                429,
                f"too many requests from this caller: try again in {wait} s",
                {"Retry-After": str(wait)},
            )
        return caller

    def _reader(self, request: Request) -> ReaderCaller:
        principal, refused = self.tokens(request).principal_of(request.headers["authorization"])
        if refused is not None:
            raise Problem(
                401, f"the feed needs an auditor's or admin's token: {refused}", _CHALLENGE
            )
        if not principal.reads_everything:
            raise Problem(403, f"the {principal.role.value} role may not read the feed")
        return ReaderCaller(principal)

    async def _partner(self, request: Request) -> PartnerCaller:
        lines = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        try:
            given = signature_input(lines)
        except SignatureRefused as refused:
            raise Problem(401, str(refused), _CHALLENGE) from None
        db = self.partners(request)
        if db is None:
            raise Problem(
                503, "the partner registry is not read yet; try again shortly", {"Retry-After": "1"}
            )
        partner = await admitted_partner(db, given.key_id)
        try:
            key = verify_partner_request(
                method=request.method,
                target_uri=self.target_uri(request),
                headers=lines,
                given=given,
                partner=partner,
                replays=self.replays,
            )
        except SignatureRefused as refused:
            raise Problem(401, str(refused), _CHALLENGE) from None
        assert partner is not None  # the signature verified with one of its keys
        return PartnerCaller(
            partner.origin,
            key.key_id,
            frozenset(partner.sees),
            await self.joint_groups(partner.origin),
        )

    def target_uri(self, request: Request) -> str:
        """What a partner signs as ``@target-uri``: the public base URL, then the path and
        query as sent (FEED-PROTOCOL §5)."""
        base = (self.public_url or str(request.base_url)).rstrip("/")
        path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        target = base + path.decode("latin-1")
        return f"{target}?{query.decode('latin-1')}" if query else target
