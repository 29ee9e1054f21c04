"""Tokens: issued and verified; expired, forged, foreign and malformed ones refused."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import jwt
import pytest
import typer
from typer.testing import CliRunner

from coordination.auth.principal import ANONYMOUS, Principal, Role, correlation_id
from coordination.auth.tokens import (
    TokenError,
    TokenKeys,
    TokenVerifier,
    issue_token,
    verify_token,
)
from coordination.cli.tokens import parse_ttl, tokens_app

ORIGIN = "test.example/coordination/log"


def cli() -> typer.Typer:
    """The command line as the lead wires it: `coordination tokens issue ...`."""
    root = typer.Typer()
    root.add_typer(tokens_app, name="tokens")
    return root


@pytest.fixture
def keys() -> TokenKeys:
    return TokenKeys.generate(ORIGIN)


def test_a_token_stands_for_its_principal(keys: TokenKeys) -> None:
    person, org, group = uuid4(), uuid4(), uuid4()
    token = issue_token(keys, role="convenor", person=person, org=org, groups=(group,))
    principal = verify_token(keys, token)
    assert principal.role is Role.CONVENOR
    assert principal.person_id == person
    assert principal.org == org
    assert principal.groups == frozenset({group})
    assert principal.expires_at is not None
    assert principal.expires_at > datetime.now(UTC)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_roles_without_an_organisation(keys: TokenKeys, role: str) -> None:
    principal = verify_token(keys, issue_token(keys, role=role, person=uuid4()))
    assert principal.role.value == role
    assert principal.org is None


def test_an_expired_token_is_refused(keys: TokenKeys) -> None:
    issued = datetime.now(UTC) - timedelta(hours=3)
    token = issue_token(keys, role="admin", person=uuid4(), ttl=timedelta(hours=1), now=issued)
    with pytest.raises(TokenError, match="expired"):
        verify_token(keys, token)


def test_a_token_signed_with_another_key_is_refused(keys: TokenKeys) -> None:
    forged = issue_token(TokenKeys.generate(ORIGIN), role="admin", person=uuid4())
    with pytest.raises(TokenError, match="signature"):
        verify_token(keys, forged)


def test_a_token_of_another_node_is_refused(keys: TokenKeys) -> None:
    other_node = TokenKeys(keys.public_key, keys.private_key, "other.example/log")
    token = issue_token(other_node, role="admin", person=uuid4())
    with pytest.raises(TokenError, match="another node"):
        verify_token(keys, token)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_malformed_tokens_are_refused(keys: TokenKeys, token: str) -> None:
    with pytest.raises(TokenError, match="malformed"):
        verify_token(keys, token)


def test_unsigned_and_symmetric_tokens_are_refused(keys: TokenKeys) -> None:
    claims = {
        "iss": ORIGIN,
        "aud": "coordination-api",
        "sub": str(uuid4()),
        "role": "admin",
        "iat": datetime.now(UTC),
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    with pytest.raises(TokenError):
        verify_token(keys, unsigned)
    symmetric = jwt.encode(claims, key="a shared secret of 32 bytes or more!", algorithm="HS256")
    with pytest.raises(TokenError):
        verify_token(keys, symmetric)


def test_a_validly_signed_token_with_bad_claims_is_refused(keys: TokenKeys) -> None:
    assert keys.private_key is not None
    base = {
        "iss": ORIGIN,
        "aud": "coordination-api",
        "iat": datetime.now(UTC),
        "exp": datetime.now(UTC) + timedelta(hours=1),
        "jti": str(uuid4()),
    }
    for claims, reason in [
        ({"sub": str(uuid4()), "role": "superuser"}, "role"),
        ({"sub": "alice", "role": "admin"}, "claims"),
        ({"sub": str(uuid4()), "role": "representative"}, "organisation"),
        ({"sub": str(uuid4()), "role": "admin", "groups": [str(uuid4())]}, "convenor"),
    ]:
        token = jwt.encode({**base, **claims}, keys.private_key, algorithm="EdDSA")
        with pytest.raises(TokenError, match=reason):
            verify_token(keys, token)
    # A token without an id could never be revoked: it is not accepted.
    anonymous_id = {k: v for k, v in base.items() if k != "jti"} | {"sub": str(uuid4())}
    token = jwt.encode({**anonymous_id, "role": "admin"}, keys.private_key, algorithm="EdDSA")
    with pytest.raises(TokenError, match="lacks its 'jti' claim"):
        verify_token(keys, token)


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"role": "representative"}, "organisation"),
        ({"role": "convenor", "org": uuid4()}, "working group"),
        ({"role": "auditor", "org": uuid4()}, "no organisation"),
        ({"role": "anonymous"}, "anonymous"),
        ({"role": "admin", "ttl": timedelta(days=400)}, "366 days"),
        ({"role": "admin", "ttl": timedelta(0)}, "more than zero"),
    ],
)
def test_tokens_are_not_issued_for_impossible_principals(
    keys: TokenKeys, arguments: dict[str, object], reason: str
) -> None:
    with pytest.raises(TokenError, match=reason):
        issue_token(keys, person=uuid4(), **arguments)  # type: ignore[arg-type]


def test_verify_only_keys_cannot_issue(keys: TokenKeys) -> None:
    public_only = TokenKeys(keys.public_key, None, ORIGIN)
    token = issue_token(keys, role="admin", person=uuid4())
    assert verify_token(public_only, token).role is Role.ADMIN
    with pytest.raises(TokenError, match="signing key"):
        issue_token(public_only, role="admin", person=uuid4())


def test_the_key_is_created_once_and_kept_private(tmp_path: Path) -> None:
    first = TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)
    key_file = tmp_path / "keys" / "token-signing.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)
    token = issue_token(first, role="auditor", person=uuid4())
    assert verify_token(again, token).role is Role.AUDITOR


def test_the_cli_issues_a_token_the_node_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COORDINATION_ORIGIN", ORIGIN)
    node = TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)  # as the node makes it
    person, org = uuid4(), uuid4()
    result = CliRunner().invoke(
        cli(),
        [
            *("tokens", "issue", "--role", "representative", "--person", str(person)),
            *("--org", str(org), "--ttl", "90m"),
        ],
    )
    assert result.exit_code == 0, result.output
    principal = verify_token(node, result.stdout.strip())
    assert (principal.role, principal.person_id, principal.org) == (
        Role.REPRESENTATIVE,
        person,
        org,
    )
    assert principal.expires_at is not None
    assert principal.expires_at <= datetime.now(UTC) + timedelta(minutes=91)


def test_the_cli_explains_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)
    result = CliRunner().invoke(
        cli(), ["tokens", "issue", "--role", "representative", "--person", str(uuid4())]
    )
    assert result.exit_code == 2
    assert "organisation" in result.output


def test_lifetimes_are_read_with_their_unit() -> None:
    assert parse_ttl("90m") == timedelta(minutes=90)
    assert parse_ttl("30d") == timedelta(days=30)
    with pytest.raises(Exception, match="unit"):
        parse_ttl("ten hours")
    # More days than a timedelta holds: an OverflowError and a traceback, before.
    with pytest.raises(Exception, match="at most 366 days"):
        parse_ttl("100000000000000000000d")
    # A negative one was told to use a number and a unit, which it had.
    with pytest.raises(Exception, match="more than zero"):
        parse_ttl("-5m")


def test_no_token_is_offered_for_the_anonymous_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--help` listed it, and issuing one then failed: anonymous callers send no token.
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    shown = CliRunner().invoke(cli(), ["tokens", "issue", "--help"])
    assert "<admin|representative|convenor|auditor>" in shown.output
    refused = CliRunner().invoke(
        cli(), ["tokens", "issue", "--role", "anonymous", "--person", str(uuid4())]
    )
    assert refused.exit_code == 2
    assert "'anonymous' is not one of" in " ".join(refused.output.split())


def test_the_context_of_a_command_comes_from_the_principal() -> None:
    person, org = uuid4(), uuid4()
    request = str(uuid4())
    ctx = Principal(Role.REPRESENTATIVE, person, org=org).context(origin=ORIGIN, request_id=request)
    assert (ctx.actor, ctx.acting_for, ctx.correlation_id) == (str(person), org, UUID(request))
    derived = correlation_id("not-a-uuid")
    assert derived == correlation_id("not-a-uuid")
    assert derived != correlation_id("another")
    with pytest.raises(ValueError, match="anonymous"):
        ANONYMOUS.context(origin=ORIGIN, request_id=request)


def test_a_remembered_token_still_expires(keys: TokenKeys) -> None:
    verifier = TokenVerifier(keys, size=2)
    person = uuid4()
    token = issue_token(keys, role="admin", person=person)
    remembered = verifier.verify(token)
    assert verifier.verify(token) is remembered
    lapsed = issue_token(
        keys,
        role="admin",
        person=person,
        ttl=timedelta(minutes=1),
        now=datetime.now(UTC) - timedelta(minutes=2),
    )
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(lapsed)
    # A remembered principal past its expiry is not used: the token is checked again.
    stale = Principal(Role.ADMIN, person, expires_at=datetime.now(UTC) - timedelta(hours=1))
    verifier._known[token] = stale
    assert verifier.verify(token) == remembered
    with pytest.raises(TokenError, match="signature"):
        verifier.verify(issue_token(TokenKeys.generate(ORIGIN), role="admin", person=person))
