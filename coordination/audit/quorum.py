"""A quorum of witnesses on a checkpoint (FEED-PROTOCOL §7): a client that pins the
partners' witness keys trusts a checkpoint only with K valid cosignatures among them, so
a log that shows different histories to different partners cannot gather it for both."""

from __future__ import annotations

from pathlib import Path

from .cosignature import CosignatureVerifier, cosigned_by


def witness_keys(given: list[str]) -> list[CosignatureVerifier]:
    """The witness vkeys given as lines or as files holding one each.

    Raises:
        NoteError: A line is not a witness vkey (type 0x04).
        OSError: A file cannot be read.
    """
    lines = [Path(g).read_text(encoding="utf-8") if Path(g).is_file() else g for g in given]
    return [CosignatureVerifier.from_vkey(line.strip()) for line in lines]


def quorum_problem(note: str, witnesses: list[CosignatureVerifier], quorum: int) -> str | None:
    """Why ``note`` lacks ``quorum`` valid cosignatures of distinct ``witnesses``, or None.

    Raises:
        NoteError: The note is not a well-formed signed note.
    """
    found = cosigned_by(note, witnesses)
    if len(found) >= quorum:
        return None
    names = ", ".join(sorted(w.name for w in found)) or "none"
    return (
        f"the checkpoint has {len(found)} valid cosignature(s) of the {len(witnesses)} witness"
        f" key(s) given ({names}); {quorum} are required"
    )
