"""Sealed personal fields as a log entry holds them: the wire form of FEED-PROTOCOL §1.

Inside an entry's ``data`` a personal datum appears only as ``{"subject": <data-subject
id>, "ciphertext": <base64>}``: the subject as the canonical UUID text entries use for
every id, the ciphertext in standard base64 (RFC 4648 §4, padded). A `Sealed` keeps the
ciphertext as the node stores it, URL-safe base64 (§5, padded); the two alphabets differ
only in two characters, so each converts to the other by swapping them, both ways and
without loss (decision 52). What reads entries of other logs (a partner's synced log, the
merged joint-group view) has no event class to say which fields are personal, so it
recognises them by the form alone, wherever the data puts them (`sealed_subjects`).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from coordination.domain.personal import Sealed

#: The keys of a sealed field in an entry, and only these.
SEALED_KEYS = frozenset({"subject", "ciphertext"})

#: Well-formed padded base64 of either alphabet (``+/`` standard, ``-_`` URL-safe).
_STANDARD = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_URL_SAFE = re.compile(r"(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?")
#: The JSON Schema pattern of an entry's ciphertext.
CIPHERTEXT_PATTERN = f"^{_STANDARD.pattern}$"
_TO_STANDARD = str.maketrans("-_", "+/")
_TO_URL_SAFE = str.maketrans("+/", "-_")


def logged_ciphertext(stored: str) -> str:
    """A stored ciphertext (URL-safe base64) as an entry holds it (standard base64).

    Raises:
        ValueError: It is not padded URL-safe base64, so it has no standard form that
            converts back to it; the message never repeats it.
    """
    if not _URL_SAFE.fullmatch(stored):
        raise ValueError("is not a sealed datum's URL-safe base64")
    return stored.translate(_TO_STANDARD)


def stored_ciphertext(logged: str) -> str:
    """An entry's ciphertext (standard base64) as a `Sealed` keeps it (URL-safe base64).

    Raises:
        ValueError: It is not padded standard base64; the message never repeats it.
    """
    if not _STANDARD.fullmatch(logged):
        raise ValueError("is not padded standard base64")
    return logged.translate(_TO_URL_SAFE)


def logged_form(sealed: Sealed) -> dict[str, str]:
    """The JSON a log entry holds of a sealed datum.

    Raises:
        ValueError: As `logged_ciphertext`.
    """
    return {"subject": str(sealed.subject_id), "ciphertext": logged_ciphertext(sealed.sealed)}


def sealed_subjects(data: Any) -> frozenset[UUID]:
    """The data subjects of every sealed field in ``data`` (parsed JSON), at any depth.

    A mapping of the sealed form whose subject is not an id names nobody, and is not
    counted: its datum cannot be told to belong to anyone.
    """
    found: set[UUID] = set()
    # A stack, not recursion: a peer's entry may nest deeper than Python recurses.
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            subject = _subject(value)
            if subject is not None:
                found.add(subject)
            else:
                stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(found)


def _subject(value: dict[Any, Any]) -> UUID | None:
    if value.keys() != SEALED_KEYS:
        return None
    subject, ciphertext = value["subject"], value["ciphertext"]
    if not isinstance(subject, str) or not isinstance(ciphertext, str):
        return None
    try:
        return UUID(subject)
    except ValueError:
        return None
