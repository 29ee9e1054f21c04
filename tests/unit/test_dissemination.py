"""B9 dissemination and B10 documents: one test per rule (the domain alone)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from coordination.domain.context import Context
from coordination.domain.dissemination import Dissemination
from coordination.domain.document import Document, document_id
from coordination.domain.errors import InvalidInput, RuleViolation

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
CTX = Context(actor="secretariat", origin="test.example/coordination/log", occurred_at=NOW)
EVIDENCE = "e" * 64


def planned() -> Dissemination:
    return Dissemination.plan(
        CTX,
        partnership_id=uuid4(),
        responsible_id=uuid4(),
        title="Social procurement seminar",
        channel="seminar",
        planned_on=TODAY,
        audience_description="Procurement officers of the county's municipalities",
    )


def held() -> Dissemination:
    activity = planned()
    activity.record_held(CTX, held_on=TODAY - timedelta(days=1), reach=40, evidence_hash=EVIDENCE)
    return activity


def test_an_activity_is_recorded_held_once_by_today_with_its_reach() -> None:
    activity = planned()
    with pytest.raises(InvalidInput, match=r"held_on .* is after today"):
        activity.record_held(
            CTX, held_on=TODAY + timedelta(days=1), reach=4, evidence_hash=EVIDENCE
        )
    with pytest.raises(InvalidInput, match="reach must be a whole number from 0"):
        activity.record_held(CTX, held_on=TODAY, reach=-4, evidence_hash=EVIDENCE)
    with pytest.raises(InvalidInput, match="evidence_hash must be a SHA-256 digest"):
        activity.record_held(CTX, held_on=TODAY, reach=4, evidence_hash="minutes.pdf")
    activity.record_held(CTX, held_on=TODAY, reach=4, evidence_hash=EVIDENCE)
    with pytest.raises(RuleViolation, match="already recorded as held"):
        activity.record_held(CTX, held_on=TODAY, reach=4, evidence_hash=EVIDENCE)


def test_no_uptake_or_influence_of_an_activity_not_held() -> None:
    activity = planned()
    with pytest.raises(RuleViolation, match="not recorded as held: no uptake"):
        activity.record_uptake(
            CTX, organisation_id=uuid4(), practice="Reserved contracts", adopted_on=TODAY
        )
    with pytest.raises(RuleViolation, match="not recorded as held: no policy influence"):
        activity.record_policy_influence(
            CTX,
            organisation_id=uuid4(),
            change="Criteria",
            decided_on=TODAY,
            evidence_hash=EVIDENCE,
        )


def test_an_uptake_is_recorded_once_per_organisation_and_practice_after_the_activity() -> None:
    activity = held()
    org = uuid4()
    with pytest.raises(InvalidInput, match=r"adopted_on .* is before the activity was held"):
        activity.record_uptake(
            CTX,
            organisation_id=org,
            practice="Reserved contracts",
            adopted_on=TODAY - timedelta(days=9),
        )
    activity.record_uptake(
        CTX, organisation_id=org, practice="Reserved contracts", adopted_on=TODAY
    )
    with pytest.raises(RuleViolation, match="already recorded as taking up 'reserved contracts'"):
        activity.record_uptake(
            CTX, organisation_id=org, practice="reserved contracts", adopted_on=TODAY
        )


def test_a_policy_influence_carries_its_evidence_and_has_happened() -> None:
    activity = held()
    with pytest.raises(InvalidInput, match=r"decided_on .* is after today"):
        activity.record_policy_influence(
            CTX,
            organisation_id=uuid4(),
            change="Criteria",
            decided_on=TODAY + timedelta(days=3),
            evidence_hash=EVIDENCE,
        )
    activity.record_policy_influence(
        CTX,
        organisation_id=uuid4(),
        change="Social criteria in tenders",
        decided_on=TODAY,
        evidence_hash=EVIDENCE,
    )
    assert activity.influences == 1


def test_a_document_is_registered_by_hash_with_its_stream_id_derived_from_it() -> None:
    partnership = uuid4()
    document = Document.register(
        CTX,
        partnership_id=partnership,
        document_hash_hex="A" * 64,
        kind="minutes",
        retention="programme_audit",
        title="Minutes",
    )
    assert document.id == document_id(partnership, "a" * 64)
    with pytest.raises(InvalidInput, match="retention 'forever' is not one of"):
        Document.register(
            CTX,
            partnership_id=partnership,
            document_hash_hex=EVIDENCE,
            kind="minutes",
            retention="forever",
            title="M",
        )


def test_a_participant_list_is_never_kept_permanently() -> None:
    with pytest.raises(
        InvalidInput, match="retention must not be permanent for a participant list"
    ):
        Document.register(
            CTX,
            partnership_id=uuid4(),
            document_hash_hex=EVIDENCE,
            kind="participant_list",
            retention="permanent",
            title="List",
        )


def test_a_document_is_evidence_of_an_event_once() -> None:
    document = Document.register(
        CTX,
        partnership_id=uuid4(),
        document_hash_hex=EVIDENCE,
        kind="invitation",
        retention="limited",
        title="Invitation",
    )
    event = uuid4()
    link = {
        "stream_id": uuid4(),
        "stream_version": 1,
        "event_id": event,
        "event_type": "coordination.workshop.planned",
    }
    document.link_evidence(CTX, **link)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match=f"already evidence of event {event}"):
        document.link_evidence(CTX, **link)  # type: ignore[arg-type]
