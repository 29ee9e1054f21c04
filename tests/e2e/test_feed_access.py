"""The node's own app serves the log feed to auditors and admins only."""

from __future__ import annotations

from uuid import uuid4

from coordination.audit.keys import keys_dir
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.http.app import create_app
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.asgi import serving


async def test_the_feed_needs_an_auditor_or_admin_token(settings: Settings, system: System) -> None:
    load_demo(system.app, origin=settings.origin)
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    auditor = issue_token(keys, role="auditor", person=uuid4())
    representative = issue_token(keys, role="representative", person=uuid4(), org=uuid4())
    async with serving(create_app(settings, system=system)) as client:
        missing = await client.get("/federation/v1/key")
        assert missing.status_code == 401
        assert "Authorization: Bearer" in missing.json()["detail"]
        # RFC 9110: a 401 says how to authenticate.
        assert missing.headers["www-authenticate"] == 'Bearer realm="coordination feed"'
        forged = await client.get("/federation/v1/key", headers={"Authorization": "Bearer x.y.z"})
        assert forged.status_code == 401
        refused = await client.get(
            "/federation/v1/key", headers={"Authorization": f"Bearer {representative}"}
        )
        assert refused.status_code == 403
        assert "representative role may not read the feed" in refused.json()["detail"]
        key = await client.get("/federation/v1/key", headers={"Authorization": f"Bearer {auditor}"})
        assert key.status_code == 200
        assert key.text.startswith(settings.origin + "+")
