"""Gathering cosignatures of the node's own checkpoints from its partners' witnesses
(FEED-PROTOCOL §7): for each admitted partner, ask its ``add-checkpoint`` to cosign the
latest checkpoint, sending the size that witness last cosigned and the consistency proof
from it, and keep the cosignature lines it answers beside the checkpoint.

A witness that is down, slow or answers garbage costs only its own cosignature: every
witness is asked at once, each with a timeout, and a failure is logged and skipped. A
witness's line is kept only when it verifies with the key that witness publishes at
``/federation/v1/witness/key`` (the registry holds partners' log keys, not yet their
witness keys: decision 44). A 409 tells the size the witness holds; the request is then
made once more from that size.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx
from starlette.concurrency import run_in_threadpool

from coordination.audit._encoding import b64encode
from coordination.audit.cosignature import CosignatureVerifier, cosigned_by
from coordination.audit.feed_path import FEED_PREFIX
from coordination.audit.log import AuditLog
from coordination.audit.note import NoteError
from coordination.audit.storage import StoredCheckpoint
from coordination.audit.witness_store import Cosignature

log = logging.getLogger(__name__)

TIMEOUT_S = 5.0
SIZE_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class WitnessTarget:
    """A partner asked to cosign: its origin and its node's base URL."""

    origin: str
    base_url: str


def _body(old: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old}", *(b64encode(h) for h in proof)]
    return ("".join(f"{line}\n" for line in lines) + "\n" + note).encode()


def _held_size(response: httpx.Response, latest: int) -> int | None:
    """The size a 409 says the witness holds, when it is one of ours to prove from."""
    if not response.headers.get("content-type", "").startswith(SIZE_TYPE):
        return None
    text = response.text.strip()
    return int(text) if text.isdigit() and int(text) <= latest else None


async def _ask(
    client: httpx.AsyncClient, audit: AuditLog, target: WitnessTarget, head: StoredCheckpoint
) -> Cosignature | None:
    base = target.base_url.rstrip("/") + FEED_PREFIX + "/witness"
    answer = await client.get(f"{base}/key")
    answer.raise_for_status()
    witness = CosignatureVerifier.from_vkey(answer.text.strip())
    old = await run_in_threadpool(_last_cosigned, audit, witness, head.size)
    for _attempt in range(2):
        proof = await run_in_threadpool(audit.consistency_proof, old, head.size) if old else []
        response = await client.post(f"{base}/add-checkpoint", content=_body(old, proof, head.note))
        if response.status_code == 409:
            held = _held_size(response, head.size)
            if held is None or held == old:
                break
            old = held
            continue
        response.raise_for_status()
        line = response.text
        if witness not in cosigned_by(head.note + line, [witness]):
            raise ValueError(f"its answer holds no valid cosignature by {witness.name}")
        first = line.split("\n", 1)[0] + "\n"
        return Cosignature(witness.name, witness.key_id, first)
    detail = response.headers.get("witness-refusal") or response.text[:200]
    raise ValueError(f"refused ({response.status_code}): {detail}")


def _last_cosigned(audit: AuditLog, witness: CosignatureVerifier, latest: int) -> int:
    """The largest of the node's checkpoints that ``witness`` cosigned, up to ``latest``."""
    return audit.witness_store.last_cosigned_size(witness.name, witness.key_id, latest)


async def gather_once(
    audit: AuditLog, targets: list[WitnessTarget], client: httpx.AsyncClient | None = None
) -> list[Cosignature]:
    """Ask every target to cosign the latest checkpoint; keep and return what verified.

    Args:
        audit: The node's log.
        targets: The partners to ask.
        client: The HTTP client to use (one with a timeout is made when not given).
    """
    head = await run_in_threadpool(audit.latest_checkpoint)
    if head is None or not targets:
        return []
    own = client or httpx.AsyncClient(timeout=TIMEOUT_S)
    try:
        results = await asyncio.gather(
            *(_ask(own, audit, target, head) for target in targets), return_exceptions=True
        )
    finally:
        if client is None:
            await own.aclose()
    gathered = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, Cosignature):
            gathered.append(result)
        elif isinstance(result, httpx.HTTPError | ValueError | NoteError):
            log.warning("witness %s did not cosign size %s: %s", target.origin, head.size, result)
        elif isinstance(result, BaseException):
            raise result
    await run_in_threadpool(audit.witness_store.keep_cosignatures, head.size, gathered)
    return gathered
