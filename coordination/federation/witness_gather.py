"""Gathering cosignatures of the node's own checkpoints from its partners' witnesses
(FEED-PROTOCOL §7): for each admitted partner, ask its ``add-checkpoint`` to cosign the
latest checkpoint, sending the size that witness last cosigned and the consistency proof
from it, and keep the cosignature lines it answers beside the checkpoint.

A witness that is down, slow or answers garbage costs only its own cosignature: every
witness is asked at once, each with a timeout, and a failure is logged and skipped. A
witness's line is kept only when it verifies with the witness key registered for that
partner in the node's own log (decisions 44 and 47), never with a key the witness
serves: whoever answers at a partner's address cannot vouch for itself. A 409 tells the
size the witness holds; the request is then made once more from that size.
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
    """A partner asked to cosign: its origin, its node's base URL and its registered
    witness key."""

    origin: str
    base_url: str
    key: CosignatureVerifier


@dataclass(frozen=True)
class WitnessAnswer:
    """What one witness answered: its cosignature, kept, or why there is none."""

    target: WitnessTarget
    cosignature: Cosignature | None = None
    problem: str | None = None


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
    witness = target.key
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
        if response.status_code != 200:
            break
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
) -> list[WitnessAnswer]:
    """Ask every target to cosign the latest checkpoint; keep what verified.

    Args:
        audit: The node's log.
        targets: The partners to ask.
        client: The HTTP client to use (one with a timeout is made when not given).

    Returns:
        Each target's answer, in the order given (none before the first checkpoint).
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
    answers = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, Cosignature):
            answers.append(WitnessAnswer(target, cosignature=result))
        elif isinstance(result, httpx.HTTPError | ValueError | NoteError):
            problem = str(result) or type(result).__name__
            log.warning("witness %s did not cosign size %s: %s", target.origin, head.size, problem)
            answers.append(WitnessAnswer(target, problem=problem))
        elif isinstance(result, BaseException):
            raise result
    kept = [a.cosignature for a in answers if a.cosignature is not None]
    await run_in_threadpool(audit.witness_store.keep_cosignatures, head.size, kept)
    if kept:
        audit.notifier.publish_cosignatures()
    return answers
