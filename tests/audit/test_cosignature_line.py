"""The line of a witness's answer that cosigns a checkpoint: the one its registered key
verifies, wherever it stands among the lines of the witness's other keys."""

from __future__ import annotations

from coordination.audit.cosignature import Cosigner, line_cosigned_by
from coordination.audit.note import Signer, parse_note, sign_note

WITNESS = "w.example/coordination/log/witness"


def _checkpoint() -> str:
    return sign_note(
        "a.example/coordination/log\n3\n" + "A" * 43 + "=\n",
        Signer.generate("a.example/coordination/log"),
    )


def test_the_registered_key_s_line_is_kept_when_another_key_s_line_comes_first() -> None:
    note = _checkpoint()
    text, _ = parse_note(note)
    registered, other = Cosigner.generate(WITNESS), Cosigner.generate(WITNESS)
    answer = other.cosign(text, 1_700_000_000) + registered.cosign(text, 1_700_000_000)

    line = line_cosigned_by(registered.verifier, note, answer)

    assert line == registered.cosign(text, 1_700_000_000)
    assert line != answer.splitlines(keepends=True)[0]


def test_an_answer_without_the_registered_key_s_line_gives_none() -> None:
    note = _checkpoint()
    text, _ = parse_note(note)
    answer = Cosigner.generate(WITNESS).cosign(text, 1_700_000_000) + "\n"

    assert line_cosigned_by(Cosigner.generate(WITNESS).verifier, note, answer) is None
