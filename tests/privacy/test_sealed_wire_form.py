"""A personal field in a log entry has exactly the form FEED-PROTOCOL §1 gives it, on
SQLite and PostgreSQL: ``{"subject": <id>, "ciphertext": <standard base64>}``, which
converts back to the node's stored ciphertext without loss (decision 52)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordination.audit.envelope import parse_entry
from coordination.audit.envelope_decode import EntryDecodeError, EntryDecoder
from coordination.audit.integrator import Integrator
from coordination.audit.storage import open_storage
from coordination.audit.stored_state import StoredEventWriter
from coordination.bootstrap import System
from coordination.domain.personal import Sealed
from coordination.privacy.cipher import unseal
from coordination.privacy.sealed_fields import (
    SEALED_KEYS,
    logged_ciphertext,
    sealed_subjects,
    stored_ciphertext,
)
from tests.application.conftest import World, secretariat
from tests.application.support_programmes import (
    CONTACTS,
    FEEDBACK,
    NAMES,
    enrol,
    launch,
    open_cohort,
)
from tests.audit.support import node_signer

KEY = node_signer()
ENROLLED = "coordination.cohort.participant_enrolled.v1"
FEEDBACK_GIVEN = "coordination.cohort.feedback_given.v1"


def _entries(world: World, system: System) -> tuple[UUID, list[dict[str, Any]]]:
    """The log's envelopes once a person was enrolled and gave feedback."""
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id, 0)
    world.app.give_feedback(
        secretariat(), cohort_id, participant_id=person, kind="request", text=FEEDBACK
    )
    storage = open_storage(system.target, system.app)
    try:
        Integrator(system.app, storage, KEY, origin=system.settings.origin).run_once()
        entries = storage.entries(0, storage.position().size)
    finally:
        storage.close()
    return person, [orjson.loads(e.entry) for e in entries]


def _opened(system: System, person: UUID, field: dict[str, Any]) -> str | None:
    """A logged field opened with the person's key, after converting it back."""
    key = system.app.subject_keys.keys_of([person])[person]
    return unseal(key, person, stored_ciphertext(field["ciphertext"]))


def test_a_personal_field_in_an_entry_has_exactly_the_protocol_s_form(
    world: World, system: System
) -> None:
    person, envelopes = _entries(world, system)
    by_type = {envelope["type"]: envelope["data"] for envelope in envelopes}
    enrolled, feedback = by_type[ENROLLED], by_type[FEEDBACK_GIVEN]
    fields = {"name": enrolled["name"], "contact": enrolled["contact"], "text": feedback["text"]}
    for field in fields.values():
        assert set(field) == {"subject", "ciphertext"} == SEALED_KEYS
        assert field["subject"] == str(person)
        ciphertext = field["ciphertext"]
        raw = base64.b64decode(ciphertext, validate=True)  # standard alphabet only
        assert base64.b64encode(raw).decode() == ciphertext  # padded, canonical
        assert len(raw) > 12 + 16  # the nonce and the tag, then the datum
    assert {name: _opened(system, person, f) for name, f in fields.items()} == {
        "name": NAMES[0],
        "contact": CONTACTS[0],
        "text": FEEDBACK,
    }
    assert sealed_subjects(enrolled) == sealed_subjects(feedback) == {person}


@given(st.binary(max_size=80))
def test_the_two_alphabets_convert_into_each_other_without_loss(raw: bytes) -> None:
    stored = base64.urlsafe_b64encode(raw).decode()
    logged = logged_ciphertext(stored)
    assert logged == base64.b64encode(raw).decode()
    assert stored_ciphertext(logged) == stored


_MALFORMED = ["QUI", "QQ=", "QUJD\n", "Q===", "\u00e9", "QU JD"]


@pytest.mark.parametrize(
    ("convert", "text"),
    [(logged_ciphertext, text) for text in [*_MALFORMED, "QU+D"]]
    + [(stored_ciphertext, text) for text in [*_MALFORMED, "QU_D"]],
)
def test_a_ciphertext_not_in_its_padded_alphabet_is_refused_unrepeated(
    convert: Callable[[str], str], text: str
) -> None:
    with pytest.raises(ValueError) as refused:
        convert(text)
    assert text not in str(refused.value)


def _enrolment(world: World, system: System) -> dict[str, Any]:
    _, envelopes = _entries(world, system)
    index = next(i for i, e in enumerate(envelopes) if e["type"] == ENROLLED)
    return envelopes[index]


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ({"subject_id": str(uuid4()), "sealed": "QUJD"}, "is not a sealed personal datum"),
        ({"subject": str(uuid4()), "ciphertext": "QU_D"}, "is not padded standard base64"),
        ({"subject": str(uuid4()), "ciphertext": "QUJD", "more": 1}, "is not a sealed"),
    ],
)
def test_an_entry_whose_field_is_not_of_the_protocol_s_form_is_refused_by_name(
    world: World, system: System, field: dict[str, Any], problem: str
) -> None:
    envelope = _enrolment(world, system)
    index = int(envelope["sequence"])
    envelope["data"]["name"] = field
    assert StoredEventWriter(system.app.mapper).write_direct(envelope) is None
    with pytest.raises(EntryDecodeError) as refused:
        EntryDecoder().decode(parse_entry(orjson.dumps(envelope), index))
    assert f"name {problem}" in str(refused.value)


def test_an_entry_s_field_reads_back_as_the_sealed_datum_the_node_stored(
    world: World, system: System
) -> None:
    envelope = _enrolment(world, system)
    _, event = EntryDecoder().decode(envelope)
    name = envelope["data"]["name"]
    assert event.name == Sealed(UUID(name["subject"]), stored_ciphertext(name["ciphertext"]))
