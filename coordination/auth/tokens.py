"""Signed bearer tokens: EdDSA (Ed25519) JWTs made and checked with PyJWT.

The node's signing key lives in its keys directory (`token-signing.pem`, readable by
its owner only; `token_key` says who creates it). Verification needs only the public half, so
an API process that merely checks tokens could be given the public key alone. Why
Ed25519 and PyJWT rather than HS256 or joserfc: docs/decisions/0004-tokens-eddsa-pyjwt.md.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from coordination.auth.principal import ANONYMOUS, Principal, Role
from coordination.auth.token_key import create_token_key, read_token_key

if TYPE_CHECKING:
    from coordination.auth.revocation import RevocationList

ALGORITHM = "EdDSA"
AUDIENCE = "coordination-api"
DEFAULT_TTL = timedelta(hours=8)
MAX_TTL = timedelta(days=366)
#: Clock skew tolerated between the issuing and the verifying machine.
LEEWAY = timedelta(seconds=30)


class TokenError(Exception):
    """A token that cannot be accepted; the message says why, without echoing the token."""


@dataclass(frozen=True)
class TokenKeys:
    """The node's token key pair (the private half only where tokens are issued).

    Attributes:
        public_key: Checks signatures.
        private_key: Signs new tokens; None in a verify-only process.
        issuer: The node that issues and accepts the tokens (its origin).
    """

    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None
    issuer: str

    @classmethod
    def generate(cls, issuer: str) -> TokenKeys:
        """A fresh key pair held in memory only (tests, one-off tools)."""
        private = Ed25519PrivateKey.generate()
        return cls(private.public_key(), private, issuer)

    @classmethod
    def load(cls, keys_dir: Path, issuer: str) -> TokenKeys:
        """The key pair kept in `keys_dir`; never creates one.

        Raises:
            TokenKeyError: There is no key there (the message says where it looked and
                how to make one), others may read or write it, or it is not Ed25519.
        """
        private = read_token_key(keys_dir)
        return cls(private.public_key(), private, issuer)

    @classmethod
    def load_or_create(cls, keys_dir: Path, issuer: str) -> TokenKeys:
        """The key pair kept in `keys_dir`, created (mode 0600) when missing: for a
        starting node, `migrate` and `keys init`, never for a command that only signs.

        Raises:
            TokenKeyError: Others may read or write the key, or it is not Ed25519.
        """
        create_token_key(keys_dir)
        return cls.load(keys_dir, issuer)


def issue_token(
    keys: TokenKeys,
    *,
    role: Role | str,
    person: UUID,
    org: UUID | None = None,
    groups: tuple[UUID, ...] | frozenset[UUID] = (),
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
    token_id: UUID | None = None,
) -> str:
    """Sign a token for `person` in `role`.

    Args:
        keys: The node's key pair (with its private half).
        role: admin, representative, convenor or auditor.
        person: The caller's pseudonymous person id.
        org: The member organisation a representative or convenor acts for.
        groups: The working groups a convenor runs.
        ttl: How long the token is accepted (at most a year).
        now: The issuing time (tests).
        token_id: The token's id (`jti`), by which it can be revoked; a fresh one if None.

    Raises:
        TokenError: The claims do not make a valid principal.
    """
    principal = _checked(
        Principal(role=_role(role), person_id=person, org=org, groups=frozenset(groups))
    )
    if keys.private_key is None:
        raise TokenError("this process holds no signing key and cannot issue tokens")
    if not timedelta(0) < ttl <= MAX_TTL:
        raise TokenError("a token's lifetime must be more than zero and at most 366 days")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": keys.issuer,
        "aud": AUDIENCE,
        "sub": str(person),
        "role": principal.role.value,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "jti": str(token_id or uuid4()),
    }
    if principal.org is not None:
        claims["org"] = str(principal.org)
    if principal.groups:
        claims["groups"] = sorted(str(group) for group in principal.groups)
    return jwt.encode(claims, keys.private_key, algorithm=ALGORITHM)


def verify_token(keys: TokenKeys, token: str) -> Principal:
    """The principal a token stands for.

    Raises:
        TokenError: The token is malformed, forged, expired, not yet valid, for another
            node, or its claims do not make a valid principal.
    """
    try:
        claims = jwt.decode(
            token,
            keys.public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=keys.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "sub", "iss", "aud", "jti"]},
        )
    except jwt.MissingRequiredClaimError as error:
        raise TokenError(f"the token lacks its '{error.claim}' claim") from None
    except jwt.ExpiredSignatureError:
        raise TokenError("the token has expired: ask for a new one") from None
    except jwt.ImmatureSignatureError:
        raise TokenError("the token is not valid yet") from None
    except jwt.InvalidIssuerError:
        raise TokenError("the token was issued by another node") from None
    except jwt.InvalidSignatureError:
        raise TokenError("the token's signature does not verify") from None
    except jwt.InvalidTokenError as error:
        raise TokenError(f"the token is malformed ({type(error).__name__})") from None
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    try:
        principal = Principal(
            role=_role(claims.get("role")),
            person_id=UUID(str(claims["sub"])),
            org=UUID(str(claims["org"])) if claims.get("org") is not None else None,
            groups=frozenset(UUID(str(group)) for group in claims.get("groups") or ()),
            expires_at=expires_at,
            token_id=str(claims["jti"]),
        )
    except (TypeError, ValueError):
        raise TokenError("the token's claims are malformed") from None
    return _checked(principal)


def _role(value: object) -> Role:
    try:
        role = Role(str(value))
    except ValueError:
        allowed = ", ".join(r.value for r in Role if r is not Role.ANONYMOUS)
        raise TokenError(f"the role must be one of: {allowed}") from None
    if role is Role.ANONYMOUS:
        raise TokenError("no token is issued for the anonymous role")
    return role


def _checked(principal: Principal) -> Principal:
    if principal.role in {Role.REPRESENTATIVE, Role.CONVENOR} and principal.org is None:
        raise TokenError(f"a {principal.role.value} token names the organisation it acts for")
    if principal.role is Role.CONVENOR and not principal.groups:
        raise TokenError("a convenor token names at least one working group")
    if principal.role is not Role.CONVENOR and principal.groups:
        raise TokenError("only a convenor token names working groups")
    if principal.role is Role.AUDITOR and principal.org is not None:
        raise TokenError("an auditor token acts for no organisation")
    return principal


class TokenVerifier:
    """Verifies tokens, remembering the principals of the last `size` good ones.

    A client sends the same token with every request; checking its signature once and
    its expiry and revocation on every use saves the signature check (the costly part)
    on the others. One verifier serves a whole process (GraphQL and the feed).

    Args:
        keys: The node's keys.
        size: Most verified tokens remembered.
        revocations: The node's revoked token ids; None accepts every valid token.
    """

    def __init__(
        self, keys: TokenKeys, size: int = 1024, *, revocations: RevocationList | None = None
    ) -> None:
        self.keys, self.size, self.revocations = keys, size, revocations
        self._known: OrderedDict[str, Principal] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """The principal of `token`; see `verify_token` for what is refused, and revoked ones."""
        known = self._known.get(token)
        if known is not None and known.expires_at is not None:
            if datetime.now(UTC) < known.expires_at + LEEWAY:
                self._known.move_to_end(token)
                return self._unrevoked(known)
            del self._known[token]
        principal = self._unrevoked(verify_token(self.keys, token))
        self._known[token] = principal
        if len(self._known) > self.size:
            self._known.popitem(last=False)
        return principal

    def _unrevoked(self, principal: Principal) -> Principal:
        if (
            self.revocations is not None
            and principal.token_id is not None
            and self.revocations.is_revoked(principal.token_id)
        ):
            raise TokenError("the token has been revoked: ask for a new one")
        return principal

    def principal_of(self, authorization: str) -> tuple[Principal, str | None]:
        """The principal of an `Authorization` header value, or anonymous and why not."""
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return ANONYMOUS, "send the token as `Authorization: Bearer <token>`"
        try:
            return self.verify(token.strip()), None
        except TokenError as error:
            return ANONYMOUS, str(error)
