"""The committed event catalogue (docs/event-catalogue.json) matches the code."""

from __future__ import annotations

import json
from pathlib import Path

from coordination.domain.catalogue import AGGREGATES, event_catalogue, event_classes

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "event-catalogue.json"
REGENERATE = "regenerate with: coordination catalogue --write docs/event-catalogue.json"


def test_the_committed_catalogue_matches_the_code() -> None:
    committed = json.loads(CATALOGUE.read_text())
    assert committed == event_catalogue(), REGENERATE


def test_every_event_has_a_stable_topic_independent_of_module_paths() -> None:
    for aggregate in AGGREGATES:
        assert aggregate.TOPIC.startswith("coordination.")
        for cls in event_classes(aggregate):
            assert cls.TOPIC.startswith(aggregate.TOPIC + "."), cls
            assert ":" not in cls.TOPIC


def test_topics_are_unique() -> None:
    topics = [cls.TOPIC for a in AGGREGATES for cls in event_classes(a)]
    assert len(topics) == len(set(topics))


def test_every_event_carries_the_metadata() -> None:
    metadata = set(event_catalogue()["metadata"])
    assert metadata == {
        "event_id",
        "occurred_at",
        "actor",
        "acting_for",
        "origin",
        "correlation_id",
        "causation_id",
        "audience",
    }


def test_a_changed_field_is_caught() -> None:
    catalogue = event_catalogue()
    topic = "coordination.partnership.member_admitted"
    catalogue["events"][topic]["fields"]["weight"] = "int"
    assert catalogue != json.loads(CATALOGUE.read_text())
