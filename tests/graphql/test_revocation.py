"""Revoking one token: the list in the data directory, the CLI, the verifier, GraphQL, the feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
import typer
from typer.testing import CliRunner

from coordination.audit.keys import keys_dir
from coordination.auth.revocation import FILE, RevocationList
from coordination.auth.tokens import MAX_TTL, TokenError, TokenKeys, TokenVerifier, issue_token
from coordination.bootstrap import System
from coordination.cli.tokens import tokens_app
from coordination.http.app import create_app
from coordination.settings import Settings
from tests.asgi import serving

ORIGIN = "test.example/coordination/log"
WHO = "query { auditTrail(first: 1) { edges { cursor } } }"
PAGE = "/federation/v1/entries?limit=1"


def cli() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(tokens_app, name="tokens")
    return root


def token_id(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return str(claims["jti"])


def test_a_revocation_is_kept_once_and_seen_by_every_reader(tmp_path: Path) -> None:
    writer, reader = RevocationList(tmp_path), RevocationList(tmp_path)
    assert reader.revoked() == frozenset()
    first, second = uuid4(), uuid4()
    assert writer.revoke(first) is True
    assert writer.revoke(first) is False
    assert reader.is_revoked(str(first))
    assert not reader.is_revoked(str(second))
    # The reader notices the file changed without being told.
    writer.revoke(second)
    assert reader.revoked() == {str(first), str(second)}
    assert not list((tmp_path / FILE).parent.glob(".revoked-*")), "no temporary file is left"


def test_entries_no_token_can_outlive_are_dropped(tmp_path: Path) -> None:
    revocations = RevocationList(tmp_path)
    old, new = uuid4(), uuid4()
    long_ago = datetime.now(UTC) - MAX_TTL - timedelta(days=2)
    revocations.revoke(old, now=long_ago)
    revocations.revoke(new)
    assert revocations.revoked() == {str(new)}


def test_an_unreadable_list_accepts_no_token(tmp_path: Path) -> None:
    keys = TokenKeys.generate(ORIGIN)
    verifier = TokenVerifier(keys, revocations=RevocationList(tmp_path))
    token = issue_token(keys, role="admin", person=uuid4())
    assert verifier.verify(token).token_id == token_id(token)
    (tmp_path / FILE).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(TokenError, match=r"revoked tokens .* cannot be read"):
        verifier.verify(token)
    (tmp_path / FILE).write_text(json.dumps({"format": 1, "revoked": {}}), encoding="utf-8")
    assert verifier.verify(token).token_id == token_id(token)


def test_a_remembered_token_is_refused_once_revoked(tmp_path: Path) -> None:
    keys = TokenKeys.generate(ORIGIN)
    verifier = TokenVerifier(keys, revocations=RevocationList(tmp_path))
    kept, revoked = (issue_token(keys, role="auditor", person=uuid4()) for _ in range(2))
    verifier.verify(kept)
    verifier.verify(revoked)
    # Another process (the CLI) revokes it: the verifier's cache does not hide that.
    RevocationList(tmp_path).revoke(UUID(token_id(revoked)))
    with pytest.raises(TokenError, match="revoked"):
        verifier.verify(revoked)
    assert verifier.verify(kept).token_id == token_id(kept)


def test_the_cli_prints_the_id_and_revokes_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COORDINATION_ORIGIN", ORIGIN)
    TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)  # as the node makes it when it starts
    issued = CliRunner().invoke(
        cli(), ["tokens", "issue", "--role", "auditor", "--person", str(uuid4())]
    )
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    jti = token_id(token)
    assert f"coordination tokens revoke {jti}" in issued.stderr
    revoked = CliRunner().invoke(cli(), ["tokens", "revoke", jti])
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout.strip() == f"revoked token {jti}"
    again = CliRunner().invoke(cli(), ["tokens", "revoke", jti])
    assert again.stdout.strip() == f"token {jti} was already revoked"
    assert RevocationList(tmp_path / "keys").is_revoked(jti)
    keys = TokenKeys.load_or_create(tmp_path / "keys", ORIGIN)
    with pytest.raises(TokenError, match="revoked"):
        TokenVerifier(keys, revocations=RevocationList(tmp_path / "keys")).verify(token)
    bad = CliRunner().invoke(cli(), ["tokens", "revoke", "not-a-token-id"])
    assert bad.exit_code == 2
    assert "a token id is a UUID" in bad.stderr


async def test_graphql_and_the_feed_share_one_verifier_and_refuse_a_revoked_token(
    settings: Settings, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    auditor = issue_token(keys, role="auditor", person=uuid4())
    colleague = issue_token(keys, role="auditor", person=uuid4())
    bearer = {"Authorization": f"Bearer {auditor}"}
    app = create_app(settings, system=system)
    async with serving(app) as client:

        async def ask(token: str) -> dict[str, Any]:
            sent = {"Authorization": f"Bearer {token}"}
            answer = await client.post("/graphql", json={"query": WHO}, headers=sent)
            body: dict[str, Any] = answer.json()
            return body

        assert "errors" not in await ask(auditor)
        # The token GraphQL verified is the one the feed's verifier remembers: one cache.
        verifier: TokenVerifier = app.state.token_verifier
        assert auditor in verifier._known
        # Accepted: 503 only until the log's first checkpoint is signed (the key and the
        # checkpoint are public, so the token is tried on a page).
        assert (await client.get(PAGE, headers=bearer)).status_code in {200, 503}

        monkeypatch.setenv("COORDINATION_DATA_DIR", str(settings.data_dir))
        revoked = CliRunner().invoke(cli(), ["tokens", "revoke", token_id(auditor)])
        assert revoked.exit_code == 0, revoked.output

        body = await ask(auditor)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "revoked" in body["errors"][0]["message"]
        feed = await client.get(PAGE, headers=bearer)
        assert feed.status_code == 401
        assert "revoked" in feed.json()["detail"]
        # Only that token: the colleague's is still accepted.
        assert "errors" not in await ask(colleague)
