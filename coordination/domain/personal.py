"""Personal data of natural persons, typed as such: each datum names the person it describes.

A personal field of an event holds a `Personal` while its command runs: the clear value
and the data subject (the person's pseudonymous id). Before the event is stored it is
sealed with that person's key (`coordination.privacy`), and what the store, the log, the
feeds and the exports hold, and what an event read back carries, is a `Sealed`: the
subject and the ciphertext, never the value. Forgetting the person destroys the key, so
every `Sealed` of theirs stays as it is, unreadable, and no byte of the log changes.

Neither type ever shows its value: not in `repr`, so not in logs or error messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from coordination.domain.values import NAME_MAX, name


@dataclass(frozen=True, repr=False)
class Personal:
    """A personal datum in clear, as a command gives it.

    Attributes:
        subject_id: The pseudonymous id of the person it describes, whose key seals it.
        value: The datum itself (a name, an e-mail address, a telephone number).
    """

    subject_id: UUID
    value: str

    def __repr__(self) -> str:
        return f"Personal(subject_id={self.subject_id}, value=<withheld>)"


@dataclass(frozen=True)
class Sealed:
    """A personal datum as stored: its subject, and its ciphertext (URL-safe base64 of the
    AES-GCM nonce and ciphertext), readable only with the subject's key. A log entry
    writes it in the feed protocol's form (``coordination.privacy.sealed_fields``)."""

    subject_id: UUID
    sealed: str


#: A personal field of an event: clear while its command runs, sealed once stored.
PersonalField = Personal | Sealed


def personal(value: str, subject_id: UUID, field: str, *, max_length: int = NAME_MAX) -> Personal:
    """A one-line personal datum about `subject_id`, checked as a name is.

    Raises:
        InvalidInput: As `values.name`; the message never repeats the value.
    """
    return Personal(subject_id, name(value, field, max_length=max_length))


def optional_personal(
    value: str | None, subject_id: UUID, field: str, *, max_length: int = NAME_MAX
) -> Personal | None:
    """Like `personal`, but None and blank text both mean "not given"."""
    if value is None or not value.strip():
        return None
    return personal(value, subject_id, field, max_length=max_length)


def subjects_of(fields: Iterable[PersonalField | None]) -> list[UUID]:
    """The data subjects whose keys seal these fields, each once, in order."""
    return list(dict.fromkeys(f.subject_id for f in fields if f is not None))
