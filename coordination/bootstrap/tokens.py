"""The node's token verifier, which GraphQL and the feed share."""

from __future__ import annotations

from anyio import to_thread

from coordination.audit.keys import keys_dir
from coordination.auth.revocation import RevocationList
from coordination.auth.tokens import TokenKeys, TokenVerifier
from coordination.settings import Settings


async def token_verifier(settings: Settings, keys: TokenKeys | None = None) -> TokenVerifier:
    """A verifier over `keys`, or over the node's keys loaded from (or created in) its keys
    directory; it refuses the tokens on the keys directory's revocation list."""
    directory = keys_dir(settings)
    if keys is None:
        keys = await to_thread.run_sync(TokenKeys.load_or_create, directory, settings.origin)
    return TokenVerifier(keys, revocations=RevocationList(directory))
