"""A witness's ``add-checkpoint`` (C2SP tlog-witness v1.0.0, FEED-PROTOCOL §7), free of
HTTP: parse the request body, check the log's signature and the consistency proof
against the last checkpoint cosigned for that origin, record and cosign it.

Every refusal is a `WitnessRefusal` with the status the standard gives: 400 (malformed,
or an old size above the checkpoint's), 403 (no signature by the origin's key), 404
(an unknown origin), 409 (the old size is not the one last cosigned, or the same size
has another root; ``size`` then says the one the witness holds) and 422 (the proof does
not verify).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._encoding import b64decode_strict, b64encode
from .checkpoint import Checkpoint, CheckpointError
from .cosignature import Cosigner
from .merkle import HASH_SIZE, verify_consistency
from .note import MAX_NOTE_SIZE, NoteError, Verifier, parse_note, verify_note
from .witness_store import Witnessed, WitnessStore

MAX_PROOF_LINES = 63
"""The standard's limit on consistency proof lines."""
MAX_BODY = MAX_NOTE_SIZE + 4096
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


class WitnessRefusal(Exception):
    """The witness refuses to cosign.

    Args:
        status: The HTTP status the standard gives.
        detail: Why, for a person.
        size: With 409, the size of the last checkpoint cosigned for that origin.
    """

    def __init__(self, status: int, detail: str, size: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.size = size


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed request: the old size, the consistency proof and the signed checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str
    checkpoint: Checkpoint


def parse_request(body: bytes) -> AddCheckpoint:
    """Parse an ``add-checkpoint`` body.

    Raises:
        WitnessRefusal: 400, naming what is malformed.
    """
    if len(body) > MAX_BODY:
        raise WitnessRefusal(400, f"the request body is longer than {MAX_BODY} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessRefusal(400, "the request body is not UTF-8") from None
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise WitnessRefusal(
            400, "no empty line separates the old size and proof from the checkpoint"
        )
    lines = head.split("\n")
    matched = _OLD.fullmatch(lines[0])
    if matched is None:
        raise WitnessRefusal(
            400, "the first line must be `old <size>`, a decimal without leading 0"
        )
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for number, line in enumerate(lines[1:], start=1):
        try:
            hashed = b64decode_strict(line)
        except ValueError as exc:
            raise WitnessRefusal(400, f"consistency proof line {number}: {exc}") from None
        if len(hashed) != HASH_SIZE:
            raise WitnessRefusal(400, f"consistency proof line {number} is not a 32-byte hash")
        proof.append(hashed)
    try:
        checkpoint = Checkpoint.parse(parse_note(note)[0])
    except (NoteError, CheckpointError) as exc:
        raise WitnessRefusal(400, f"the checkpoint is malformed: {exc}") from None
    return AddCheckpoint(int(matched.group(1)), tuple(proof), note, checkpoint)


def _next(request: AddCheckpoint) -> Callable[[Witnessed | None], Witnessed]:
    """The check of ``request`` against the last checkpoint cosigned for its origin."""
    new = request.checkpoint

    def decide(last: Witnessed | None) -> Witnessed:
        held = last.size if last is not None else 0
        if request.old_size != held:
            raise WitnessRefusal(
                409,
                f"the old size {request.old_size} is not the size this witness last cosigned"
                f" for {new.origin} ({held})",
                held,
            )
        if request.old_size == new.size:
            if last is not None and last.root != new.root_hash:
                raise WitnessRefusal(
                    409,
                    f"this witness cosigned {new.origin} at size {held} with root"
                    f" {b64encode(last.root)}, and is now shown root {b64encode(new.root_hash)}"
                    " at that size: the log shows two histories",
                    held,
                )
            if request.proof:
                raise WitnessRefusal(422, "the consistency proof between equal sizes is empty")
        elif last is None or held == 0:
            if request.proof:
                raise WitnessRefusal(422, "the consistency proof from size 0 is empty")
        elif not verify_consistency(held, new.size, last.root, new.root_hash, request.proof):
            raise WitnessRefusal(
                422,
                f"the consistency proof from size {held} to {new.size} does not verify against"
                f" the checkpoint this witness cosigned for {new.origin}",
            )
        return Witnessed(new.size, new.root_hash, request.note)

    return decide


def add_checkpoint(
    request: AddCheckpoint,
    log_key: Verifier | None,
    store: WitnessStore,
    cosigner: Cosigner,
    now: Callable[[], float] = time.time,
) -> str:
    """Check, record and cosign a checkpoint; the answer's body (one cosignature line).

    Args:
        request: The parsed request.
        log_key: The key valid now for the checkpoint's origin, per the partner
            registry; None when the origin is not an admitted partner's.
        store: Where the last cosigned checkpoint of each origin is kept.
        cosigner: The node's witness key.
        now: The clock.

    Raises:
        WitnessRefusal: The status and reason of the refusal.
    """
    origin = request.checkpoint.origin
    if log_key is None:
        raise WitnessRefusal(404, f"{origin} is not the origin of a log this node witnesses")
    try:
        verify_note(request.note, log_key)
    except NoteError as exc:
        raise WitnessRefusal(
            403, f"the checkpoint has no valid signature by {origin}'s key: {exc}"
        ) from None
    if request.old_size > request.checkpoint.size:
        raise WitnessRefusal(
            400,
            f"the old size {request.old_size} is above the checkpoint's size"
            f" {request.checkpoint.size}",
        )
    store.witness(origin, _next(request))
    text = request.checkpoint.to_text()
    return cosigner.cosign(text, int(now()))
