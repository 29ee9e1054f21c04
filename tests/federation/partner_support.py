"""What the partner-access tests share: a node with partners recorded in its own log, and
requests signed as a partner node signs them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

import httpx

from coordination.audit.note import Signer
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.federation.request_signing import signature_headers
from tests.audit.conftest import BUNDLED_VECTORS

FEED = "/federation/v1"
IT = "it.example/coordination/log"
VECTORS = json.loads(BUNDLED_VECTORS.read_text(encoding="utf-8"))
#: The independent implementation's log and key, as a second partner.
NL = VECTORS["origin"]
NL_KEY = Signer.from_skey(VECTORS["signer_key"])
BOTH = ["public", "transnational"]


def record_partners(system: System, origin: str, it_key: Signer) -> None:
    """The agreement with Italy and the Netherlands, both admitted, with their keys."""
    app, ctx = system.app, Context(actor="operator:test", origin=origin)
    app.sign_cooperation_agreement(
        ctx, title="Cooperation", document_hash="a" * 64, parties=[(IT, BOTH), (NL, BOTH)]
    )
    for party, url in ((IT, "https://it.example"), (NL, "https://example.org")):
        app.admit_partner(ctx, origin=party, name=party, base_url=url, sees=BOTH)
    app.register_partner_key(ctx, origin=IT, vkey=it_key.verifier.vkey)
    app.register_partner_key(ctx, origin=NL, vkey=NL_KEY.verifier.vkey)


def signed(
    signer: Signer, base: str, path: str, method: str = "GET", created: datetime | None = None
) -> dict[str, str]:
    """The headers of `method` `path` (with its query) signed by `signer` for the node
    whose public base URL is `base`."""
    return signature_headers(method, f"{base}{path}", signer, created=created)


async def until_status(
    get: Callable[[], Awaitable[httpx.Response]], status: int, timeout: float = 20.0
) -> httpx.Response:
    """Ask again until the answer has `status` (the partner registry's view follows the
    log a moment later), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (response := await get()).status_code != status:
        assert time.monotonic() < deadline, (response.status_code, response.text, response.headers)
        await asyncio.sleep(0.05)  # polling a condition with a deadline
    return response
