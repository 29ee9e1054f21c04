"""Value checks and the closed vocabularies of the domain.

Limits are deliberately generous for people and strict for machines: nothing empty,
nothing that would not fit on a page of minutes, and no control characters: a name is
one line (`name`), free text may also hold line breaks and tabs (`text`), and neither
holds ESC, BEL or any other C0 or C1 control, which would act on a terminal, a log or a
printed list instead of being read. Each check's `field` is the command's argument it
checks, by the command's own name for it (see `InvalidInput`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from coordination.domain.errors import InvalidInput

NAME_MAX = 200
TITLE_MAX = 300
TEXT_MAX = 20_000
HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")
#: What free text must not hold: every C0 control but tab, line feed and carriage return,
#: DEL, and every C1 control (NUL among them: PostgreSQL's text cannot hold it either).
TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: What a name must not hold: every control, and the line and paragraph separators.
NAME_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Short names of the controls people meet most, for the message that refuses one.
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 9: "TAB", 10: "LF", 13: "CR", 27: "ESC", 127: "DEL"}
#: The layout characters free text keeps and a name refuses (tab, line breaks).
_LAYOUT = frozenset({0x09, 0x0A, 0x0D, 0x2028, 0x2029})

E = TypeVar("E", bound=StrEnum)


class MemberKind(StrEnum):
    MUNICIPALITY = "municipality"
    PUBLIC_AGENCY = "public_agency"
    COMPANY = "company"
    ASSOCIATION = "association"
    COOPERATIVE = "cooperative"
    SOCIAL_ENTERPRISE = "social_enterprise"
    STUDY_ASSOCIATION = "study_association"
    OTHER = "other"


class Audience(StrEnum):
    """Who may see an event (the `forum:<id>` audience is built with `forum_audience`)."""

    PUBLIC = "public"
    PARTNERSHIP = "partnership"
    TRANSNATIONAL = "transnational"
    RESTRICTED = "restricted"


def forum_audience(forum_id: object) -> str:
    """The audience of events that only a forum's members (and the secretariat) see."""
    return f"forum:{forum_id}"


def text(value: str, field: str, *, max_length: int = NAME_MAX, required: bool = True) -> str:
    """Free text, stripped: lines and tabs are kept, other controls and oversize refused.

    Raises:
        InvalidInput: Empty (when required), too long, not storable, or holding a control
            character; the message names `field`.
    """
    return _checked(value, field, max_length=max_length, required=required, refused=TEXT_CONTROLS)


def name(value: str, field: str, *, max_length: int = NAME_MAX, required: bool = True) -> str:
    """A name or title, stripped: one line, without tabs or any other control character.

    Raises:
        InvalidInput: As `text`, and for a line break or tab inside the name.
    """
    return _checked(value, field, max_length=max_length, required=required, refused=NAME_CONTROLS)


def optional_text(value: str | None, field: str, *, max_length: int = TEXT_MAX) -> str | None:
    """Like `text`, but None and blank text both mean "not given"."""
    if value is None:
        return None
    cleaned = text(value, field, max_length=max_length, required=False)
    return cleaned or None


def optional_name(value: str | None, field: str, *, max_length: int = NAME_MAX) -> str | None:
    """Like `name`, but None and blank text both mean "not given"."""
    if value is None:
        return None
    cleaned = name(value, field, max_length=max_length, required=False)
    return cleaned or None


def _checked(
    value: str, field: str, *, max_length: int, required: bool, refused: re.Pattern[str]
) -> str:
    if not isinstance(value, str):
        raise InvalidInput("must be text", field=field)
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput("must not be empty", field=field)
    control = refused.search(cleaned)
    if control is not None:
        code = ord(control.group())
        label = _CONTROL_NAMES.get(code)
        shown = f"U+{code:04X}" + (f" ({label})" if label else "")
        where = f"character {control.start() + 1}"
        if code in _LAYOUT:  # only a name refuses these
            raise InvalidInput(f"must be one line without tabs: {where} is {shown}", field=field)
        raise InvalidInput(f"must not contain the control character {shown} ({where})", field=field)
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for it, nor for the event
        raise InvalidInput(
            "is not valid Unicode text (it holds a lone surrogate)", field=field
        ) from None
    if len(cleaned) > max_length:
        raise InvalidInput(
            f"is {len(cleaned)} characters long; the limit is {max_length}", field=field
        )
    return cleaned


def choice(value: str, vocabulary: type[E], field: str) -> E:
    """Parse `value` as a member of `vocabulary`, listing the allowed values on refusal."""
    try:
        return vocabulary(value)
    except ValueError:
        allowed = ", ".join(member.value for member in vocabulary)
        raise InvalidInput(f"'{value}' is not one of: {allowed}", field=field) from None


def ordered(start: date | datetime, end: date | datetime | None, field: str) -> None:
    """Refuse a period whose end (the argument `field`) is not after its start."""
    if end is not None and end <= start:
        raise InvalidInput(f"must be after the start ({end} is not after {start})", field=field)


def document_hash(value: str, field: str = "document_hash") -> str:
    """A lowercase hex SHA-256 digest, as evidence documents are identified by."""
    cleaned = value.strip().lower() if isinstance(value, str) else ""
    if not HASH_PATTERN.match(cleaned):
        raise InvalidInput("must be a SHA-256 digest: 64 hexadecimal characters", field=field)
    return cleaned


def sha256_hex(content: str) -> str:
    """The SHA-256 digest of text, as sealed minutes record it."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def in_utc(moment: datetime, field: str) -> datetime:
    """`moment` in UTC, refusing a naive datetime (its instant would be a guess) and one
    too close to the ends of the calendar to be written in UTC (the views store times in
    UTC: such an event would stop its stream's views)."""
    if not isinstance(moment, datetime):
        raise InvalidInput("must be a date and time", field=field)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("must include a time zone", field=field)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("lies outside the years 1 to 9999 in UTC", field=field) from None


def percent(value: int, field: str) -> int:
    """An integer percentage 0..100."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInput("must be a whole number from 0 to 100", field=field)
    return value


class DecisionRule(StrEnum):
    """How a forum decides: a working group's default, or the rule a decision is called with."""

    CONSENSUS = "consensus"
    CONSENT = "consent"
    MAJORITY = "majority"
    QUALIFIED_MAJORITY = "qualified_majority"


class ActionSource(StrEnum):
    """Where an action was agreed: in a working group, by a decision, or at a workshop."""

    GROUP = "group"
    DECISION = "decision"
    WORKSHOP = "workshop"


class ParticipantRole(StrEnum):
    """The role a person registers for at a workshop (B4)."""

    MUNICIPAL_REPRESENTATIVE = "municipal_representative"
    SOCIAL_ECONOMY_ACTOR = "social_economy_actor"
    FACILITATOR = "facilitator"
    SPEAKER = "speaker"
